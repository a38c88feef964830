#pragma once
// The one error boundary of the adapter. Every FUSE operation runs its body
// through answer(): the body either replies itself (or hands the request to
// someone who will, such as the sidecar scheduler) and returns kReplied, or
// returns an errno that answer() sends. Exceptions never cross into libfuse:
// std::bad_alloc becomes ENOMEM, anything else EIO, logged once. The body
// must reply as its last act, so an exception can never cause a second reply.

#include <fuse_lowlevel.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <exception>
#include <new>

namespace visionfs::fs {

inline constexpr int kReplied = -1;

template <typename Body>
void answer(fuse_req_t req, const char* operation, Body&& body) noexcept {
  int err = EIO;
  try {
    err = body();
  } catch (const std::bad_alloc&) {
    err = ENOMEM;
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", operation, e.what());
  } catch (...) {
    spdlog::error("{} failed with an unknown exception", operation);
  }
  if (err != kReplied) fuse_reply_err(req, err);
}

// The getxattr/listxattr protocol: size 0 asks for the length only; a
// buffer too small is ERANGE. Returns kReplied or ERANGE.
inline int reply_xattr_sized(fuse_req_t req, size_t size, const char* data, size_t length) {
  if (size == 0) return fuse_reply_xattr(req, length), kReplied;
  if (size < length) return ERANGE;
  return fuse_reply_buf(req, data, length), kReplied;
}

}  // namespace visionfs::fs
