#pragma once
// Waiter: the continuation of one request that waits for a sidecar, and the
// Outcome it receives.
//
// A FUSE request the daemon has taken and never answers cannot be killed
// (fuse-lessons.md 1c), so "every waiter gets exactly one outcome" is built
// into the type rather than left to each code path:
// - a Waiter is move-only, and deliver() consumes it (a second deliver on
//   the moved-from or consumed object does nothing);
// - a Waiter destroyed without having delivered delivers EIO from its
//   destructor, and logs it as a bug, so a path that forgets a waiter
//   produces an error reply, never a hang.
// An empty Waiter (default-constructed) stands for "nobody waits": a lookup
// or a precompute that only starts the computation.
//
// Thread-safety: a Waiter is owned by one thread at a time. The callback runs
// on the thread that delivers; callers must hold no lock when they deliver or
// destroy a Waiter (the callback replies to the kernel, or re-enters the
// scheduler for a NAME.json part).

#include "cache/node.h"

#include <sys/stat.h>

#include <functional>
#include <utility>

namespace visionfs::sidecars {

// What a waiting request gets: the computed sidecar and its exact
// attributes, or an errno (error != 0).
struct Outcome {
  int error = 0;
  cache::NodePtr sidecar;
  struct stat attr {};

  static Outcome failure(int err) { return Outcome{err, nullptr, {}}; }
};

class Waiter {
 public:
  using Callback = std::function<void(const Outcome&)>;

  Waiter() = default;
  explicit Waiter(Callback callback) : callback_(std::move(callback)) {}
  Waiter(Waiter&& other) noexcept : callback_(std::exchange(other.callback_, nullptr)) {}
  Waiter& operator=(Waiter&& other) noexcept;
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  ~Waiter();

  // Whether someone waits (an undelivered callback).
  explicit operator bool() const { return static_cast<bool>(callback_); }
  // Hands `outcome` to the waiter; the Waiter is empty afterwards.
  void deliver(const Outcome& outcome);

 private:
  Callback callback_;
};

}  // namespace visionfs::sidecars
