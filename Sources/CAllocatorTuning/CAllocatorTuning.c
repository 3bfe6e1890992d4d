#include "CAllocatorTuning.h"

#if defined(__GLIBC__)
#include <malloc.h>

int digits_keep_large_allocations_on_heap(void) {
    // Fixed thresholds also turn off glibc's dynamic adjustment of them. The mmap threshold
    // may be at most 32 MB on 64-bit systems; mallopt refuses anything larger.
    return mallopt(M_MMAP_THRESHOLD, 16 << 20) && mallopt(M_TRIM_THRESHOLD, 64 << 20);
}
#else
int digits_keep_large_allocations_on_heap(void) { return 0; }
#endif
