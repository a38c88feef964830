#pragma once
// Clock: the steady time source behind every TTL. Injected so that unit
// tests drive time with FakeClock instead of sleeping.
// Thread-safety: now() may be called from any thread.

#include <atomic>
#include <chrono>

namespace visionfs::cache {

using Clock_t = std::chrono::steady_clock;
using TimePoint = Clock_t::time_point;
using Duration = Clock_t::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The real clock: CLOCK_MONOTONIC, so a changed wall clock (NTP, the user)
// never expires or revives a file.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return Clock_t::now(); }
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }
  void advance(Duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> ticks_{Duration(std::chrono::hours(1)).count()};
};

}  // namespace visionfs::cache
