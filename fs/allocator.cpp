#include "fs/allocator.h"

#include <malloc.h>

#include <algorithm>

namespace visionfs::fs {

void configure_allocator(unsigned analysis_workers) {
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, analysis_workers)));
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

void return_free_memory() { malloc_trim(0); }

}  // namespace visionfs::fs
