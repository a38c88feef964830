#include "cache/memory_budget.h"

#include <cassert>

namespace visionfs::cache {

bool MemoryBudget::try_charge_now(std::uint64_t bytes, Kind kind) {
  auto current = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ || current > limit_ - bytes) return false;
  } while (!used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  by_kind_[static_cast<int>(kind)].fetch_add(bytes, std::memory_order_relaxed);
  return true;
}

bool MemoryBudget::try_charge(std::uint64_t bytes, Kind kind) {
  if (try_charge_now(bytes, kind)) return true;
  if (!reclaimer_ || bytes > limit_ || reclaimer_(bytes) == 0) return false;
  return try_charge_now(bytes, kind);
}

void MemoryBudget::force_charge(std::uint64_t bytes, Kind kind) {
  used_.fetch_add(bytes, std::memory_order_relaxed);
  by_kind_[static_cast<int>(kind)].fetch_add(bytes, std::memory_order_relaxed);
}

void MemoryBudget::release(std::uint64_t bytes, Kind kind) {
  [[maybe_unused]] auto before = used_.fetch_sub(bytes, std::memory_order_relaxed);
  assert(before >= bytes);
  [[maybe_unused]] auto kind_before = by_kind_[static_cast<int>(kind)].fetch_sub(bytes, std::memory_order_relaxed);
  assert(kind_before >= bytes);
}

void MemoryBudget::set_reclaimer(std::function<std::uint64_t(std::uint64_t)> reclaimer) {
  reclaimer_ = std::move(reclaimer);
}

}  // namespace visionfs::cache
