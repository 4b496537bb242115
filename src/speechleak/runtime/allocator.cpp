#include "speechleak/runtime/allocator.h"

#include <malloc.h>

#include <cstdlib>

namespace speechleak::runtime {

bool keep_tensor_memory_in_heap() {
  for (const char* v : {"MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"})
    if (const char* set = std::getenv(v); set && *set) return false;
  const bool heap_only = mallopt(M_MMAP_MAX, 0) == 1;
  const bool trim = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  return heap_only && trim;
}

}  // namespace speechleak::runtime
