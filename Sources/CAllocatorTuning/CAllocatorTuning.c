#include "CAllocatorTuning.h"

#if defined(__GLIBC__)
#include <malloc.h>

int digits_keep_large_allocations_on_heap(void) {
    // Fixed thresholds also turn off glibc's dynamic adjustment of them.
    return mallopt(M_MMAP_THRESHOLD, 64 << 20) && mallopt(M_TRIM_THRESHOLD, 128 << 20);
}
#else
int digits_keep_large_allocations_on_heap(void) { return 0; }
#endif
