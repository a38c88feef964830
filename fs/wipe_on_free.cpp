// Every block the daemon's C++ code frees is wiped first.
//
// File names, OCR text and results pass through std::string and JSON
// temporaries that are freed without wiping; a memory scan after expiry
// found them in freed heap (issue 11). Replacing the global operator delete
// (a replaceable function: this definition wins over the C++ runtime's) wipes
// the whole usable size of every block, whatever type it held. File bytes,
// results and pixels have their own wiping (SecureBuffer, the cv::Mat
// allocator); this covers everything else allocated with new.
//
// Linked into the daemon only (not the libraries, so tests and tools keep
// the runtime's own), and left out under the sanitizers, which bring their
// own allocator with its own checks.

#include <malloc.h>
#include <string.h>  // explicit_bzero

#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VISIONFS_WIPE_ON_FREE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define VISIONFS_WIPE_ON_FREE 0
#endif
#endif
#ifndef VISIONFS_WIPE_ON_FREE
#define VISIONFS_WIPE_ON_FREE 1
#endif

#if VISIONFS_WIPE_ON_FREE

namespace {
void wipe_and_free(void* p) noexcept {
  if (!p) return;
  explicit_bzero(p, malloc_usable_size(p));
  std::free(p);
}
}  // namespace

// operator new stays the runtime's (malloc underneath), so every block
// deleted here came from malloc and malloc_usable_size applies. The aligned
// forms are not replaced: their blocks come from aligned_alloc, also freed
// by free(), and nothing in the daemon's own code over-aligns.
void operator delete(void* p) noexcept { wipe_and_free(p); }
void operator delete[](void* p) noexcept { wipe_and_free(p); }
void operator delete(void* p, std::size_t) noexcept { wipe_and_free(p); }
void operator delete[](void* p, std::size_t) noexcept { wipe_and_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { wipe_and_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { wipe_and_free(p); }

#endif
