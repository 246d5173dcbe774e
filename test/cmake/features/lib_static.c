#include "feat.h"
int feat_static(void) { return 42; }
