#pragma once
// How the daemon's allocator (glibc malloc) is set up, so that memory freed
// after a load goes back to the kernel instead of staying with the process.
//
// Measured with the stress load (docs/PERFORMANCE.md, "Memory"): with
// glibc's defaults the idle anonymous RSS after a load varied by 30 MiB
// from one round to the next, and crept up, while the live heap (heaptrack)
// stayed the same: (1) every thread that allocates gets an arena of its
// own (up to 8 per core), and freed memory stays in each; (2) the mmap
// threshold rises to 32 MiB after the first large block is freed, so later
// image-sized buffers land in those arenas and fragment them. One arena per
// analysis worker and a fixed 128 KiB threshold (glibc's own starting value,
// which a fixed setting stops from moving) made the idle figure repeat to
// within 2 MiB over eight rounds.
// Call once, before any thread starts. Not thread-safe.

namespace visionfs::fs {

void configure_allocator(unsigned analysis_workers);

// Hands the pages of freed memory back to the kernel (malloc_trim).
// Thread-safe.
void return_free_memory();

}  // namespace visionfs::fs
