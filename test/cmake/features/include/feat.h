/* feat.h - the features test project's library interface. */
int feat_static(void);
int feat_object(void);
int feat_shared(void);
