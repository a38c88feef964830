#include "sidecars/waiter.h"

#include <spdlog/spdlog.h>

#include <cerrno>

namespace visionfs::sidecars {

Waiter& Waiter::operator=(Waiter&& other) noexcept {
  if (this != &other) {
    // Assigning over an undelivered waiter would drop it: answer it first.
    if (callback_) deliver(Outcome::failure(EIO));
    callback_ = std::exchange(other.callback_, nullptr);
  }
  return *this;
}

Waiter::~Waiter() {
  if (!callback_) return;
  spdlog::error("a sidecar request was dropped without an answer; answering EIO");
  deliver(Outcome::failure(EIO));
}

void Waiter::deliver(const Outcome& outcome) {
  auto callback = std::exchange(callback_, nullptr);
  if (!callback) return;
  try {
    callback(outcome);
  } catch (const std::exception& e) {
    // Never let a reply path's exception escape into a worker thread.
    spdlog::error("answering a sidecar request failed: {}", e.what());
  }
}

}  // namespace visionfs::sidecars
