#pragma once
// MemoryBudget: the byte limit set by -o max_memory, and what is charged to it.
//
// Charged: file contents (logical size), extended attribute values, and
// computed sidecar results. A charge that would pass the limit is refused
// (the caller answers ENOSPC); nothing is ever evicted to make room.
// Thread-safety: all methods are lock-free and safe from any thread.

#include <atomic>
#include <cstdint>

namespace visionfs::cache {

class MemoryBudget {
 public:
  explicit MemoryBudget(std::uint64_t limit_bytes) : limit_(limit_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Charges `bytes` if the total stays within the limit. Returns false, and
  // charges nothing, otherwise.
  bool try_charge(std::uint64_t bytes);
  // Charges even past the limit: for small results that must not fail
  // (a sidecar the user asked for). Documented in docs/design.md.
  void force_charge(std::uint64_t bytes);
  // REQUIRES: bytes were charged before.
  void release(std::uint64_t bytes);

  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t limit() const { return limit_; }
  std::uint64_t available() const {
    auto u = used();
    return u >= limit_ ? 0 : limit_ - u;
  }

 private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> used_{0};
};

}  // namespace visionfs::cache
