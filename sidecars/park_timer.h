#pragma once
// ParkTimer: the thread that answers EBUSY to sidecar requests parked past
// their deadline (their image stayed open for writing). It only calls
// Scheduler::expire_parked() at the right times; unit tests call that
// directly with a FakeClock instead of running this thread.
// Preconditions: `scheduler` and `clock` outlive the timer.
// Thread-safety: construct and destroy from one thread.

#include "cache/clock.h"
#include "sidecars/scheduler.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace visionfs::sidecars {

class ParkTimer {
 public:
  ParkTimer(Scheduler& scheduler, const cache::Clock& clock);
  ~ParkTimer();
  ParkTimer(const ParkTimer&) = delete;
  ParkTimer& operator=(const ParkTimer&) = delete;

 private:
  void loop();

  Scheduler& scheduler_;
  const cache::Clock& clock_;
  std::mutex mu_;  // guards stopping_; a leaf (expire_parked runs without it)
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace visionfs::sidecars
