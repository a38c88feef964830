#pragma once
// Shared by the Tree's implementation files only (cache/tree*.cpp,
// cache/sidecar_index.cpp): constants and small helpers.

#include <fcntl.h>

#include <cstddef>
#include <ctime>
#include <string_view>

namespace visionfs::cache::internal {

inline timespec wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

inline constexpr std::string_view kJson = ".json";
inline constexpr std::size_t kXattrValueMax = 64 * 1024;  // XATTR_SIZE_MAX
inline constexpr std::size_t kNameMax = 255;              // NAME_MAX

inline bool writable(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

inline bool later(const timespec& a, const timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
}

}  // namespace visionfs::cache::internal
