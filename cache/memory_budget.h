#pragma once
// MemoryBudget: the byte limit set by -o max_memory, and what is charged to it.
//
// Charged: file contents (logical size) and extended attribute values
// (kStored), computed sidecar results (kResult), decoded pixels kept for an
// image's analyses (kDecoded), and the working memory of the analyses
// running now (kWorking; analysis/core/memory_gate.h). A charge that would
// pass the limit is refused (the caller answers ENOSPC, or an analysis
// waits); nothing the user stored is ever evicted to make room. Decoded
// pixels kept only in case another analysis of the same image comes are
// the one exception: a refused charge first asks the reclaimer to drop
// them, then tries once more.
// Thread-safety: every method is thread-safe; the charges themselves are
// lock-free. The reclaimer is called on the charging thread, possibly under
// the caller's locks (the Tree's mutex), so it must not call into the Tree.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace visionfs::cache {

class MemoryBudget {
 public:
  enum class Kind { kStored, kResult, kDecoded, kWorking };

  explicit MemoryBudget(std::uint64_t limit_bytes) : limit_(limit_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Charges `bytes` if the total stays within the limit (after asking the
  // reclaimer once). Returns false, and charges nothing, otherwise.
  bool try_charge(std::uint64_t bytes, Kind kind = Kind::kStored);
  // try_charge() without asking the reclaimer.
  bool try_charge_now(std::uint64_t bytes, Kind kind);
  // Charges even past the limit: for small results that must not fail
  // (a sidecar the user asked for). Documented in docs/design.md.
  void force_charge(std::uint64_t bytes, Kind kind = Kind::kResult);
  // REQUIRES: bytes of this kind were charged before.
  void release(std::uint64_t bytes, Kind kind = Kind::kStored);

  // Called with the bytes a refused charge wanted; drops what it can and
  // returns how many bytes it released. Set once, before any charge.
  void set_reclaimer(std::function<std::uint64_t(std::uint64_t wanted)> reclaimer);

  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t used(Kind kind) const { return by_kind_[static_cast<int>(kind)].load(std::memory_order_relaxed); }
  std::uint64_t limit() const { return limit_; }
  std::uint64_t available() const {
    auto u = used();
    return u >= limit_ ? 0 : limit_ - u;
  }

 private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> used_{0};
  std::array<std::atomic<std::uint64_t>, 4> by_kind_{};
  std::function<std::uint64_t(std::uint64_t)> reclaimer_;
};

}  // namespace visionfs::cache
