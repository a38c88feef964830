#include "sidecars/park_timer.h"

#include <algorithm>

namespace visionfs::sidecars {
namespace {
// Parked requests appear at any time; look at least this often.
constexpr auto kMaxNap = std::chrono::seconds(1);
}  // namespace

ParkTimer::ParkTimer(Scheduler& scheduler, const cache::Clock& clock)
    : scheduler_(scheduler), clock_(clock), thread_([this] { loop(); }) {}

ParkTimer::~ParkTimer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ParkTimer::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto next = scheduler_.expire_parked();
    lock.lock();
    auto nap = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxNap);
    if (next) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.now());
      nap = std::clamp(until + std::chrono::milliseconds(1), std::chrono::milliseconds(1), nap);
    }
    cv_.wait_for(lock, nap, [&] { return stopping_; });
  }
}

}  // namespace visionfs::sidecars
