#pragma once
// BudgetGate: the analysis service's memory gate (analysis/core/memory_gate.h)
// over the daemon's MemoryBudget, so that decoded pixels and the working
// memory of analyses count against -o max_memory like stored files do.
// Thread-safety: as MemoryBudget's (lock-free); never calls the budget's
// reclaimer, which calls back into the analysis service.

#include "analysis/core/memory_gate.h"
#include "cache/memory_budget.h"

namespace visionfs::fs {

class BudgetGate final : public analysis::MemoryGate {
 public:
  explicit BudgetGate(cache::MemoryBudget& budget) : budget_(budget) {}

  bool try_take(std::uint64_t bytes, Use use) override { return budget_.try_charge_now(bytes, kind(use)); }
  void give_back(std::uint64_t bytes, Use use) override { budget_.release(bytes, kind(use)); }
  void reclassify(std::uint64_t bytes, Use from, Use to) override {
    budget_.force_charge(bytes, kind(to));
    budget_.release(bytes, kind(from));
  }
  std::uint64_t capacity() const override { return budget_.limit(); }

 private:
  static cache::MemoryBudget::Kind kind(Use use) {
    return use == Use::kDecoded ? cache::MemoryBudget::Kind::kDecoded : cache::MemoryBudget::Kind::kWorking;
  }
  cache::MemoryBudget& budget_;
};

}  // namespace visionfs::fs
