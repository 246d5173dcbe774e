int feat_object(void) { return 43; }
