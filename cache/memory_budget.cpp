#include "cache/memory_budget.h"

#include <cassert>

namespace visionfs::cache {

bool MemoryBudget::try_charge(std::uint64_t bytes) {
  auto current = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ || current > limit_ - bytes) return false;
  } while (!used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  return true;
}

void MemoryBudget::force_charge(std::uint64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }

void MemoryBudget::release(std::uint64_t bytes) {
  [[maybe_unused]] auto before = used_.fetch_sub(bytes, std::memory_order_relaxed);
  assert(before >= bytes);
}

}  // namespace visionfs::cache
