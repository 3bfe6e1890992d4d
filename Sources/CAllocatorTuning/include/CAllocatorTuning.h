#ifndef C_ALLOCATOR_TUNING_H
#define C_ALLOCATOR_TUNING_H

/// Keeps blocks below 16 MB on glibc's heap instead of a fresh mmap each; returns 1 when set,
/// 0 where the C library has no such setting.
int digits_keep_large_allocations_on_heap(void);

#endif
