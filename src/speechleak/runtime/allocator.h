#pragma once
// How the C allocator serves tensor memory. glibc serves each allocation above its mmap threshold (at most 32 MiB)
// with a fresh mmap and returns it with munmap when freed, so a loop whose activations exceed 32 MiB (a training
// batch of 8 x 4 s through the conv extractor: 52 MiB tensors) takes a page fault for every 4 KiB of them on
// every step: 4.5x slower training and 2x slower extraction measured on 2 cores (docs/performance.md).
// Keeping large blocks in the heap lets them be reused instead.
namespace speechleak::runtime {

// For programs (the CLI, the benchmarks), not the library: serves every allocation from the heap (no mmap) and
// returns freed memory to the system only when more than 1 GiB is free at the top. Leaves glibc's settings alone
// when the user set any (MALLOC_MMAP_MAX_, MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES).
// Returns whether it changed them.
bool keep_tensor_memory_in_heap();

}  // namespace speechleak::runtime
