#include "feat.h"
int feat_shared(void) { return feat_static() + 2; }
