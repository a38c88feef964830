#pragma once
// MemoryGate: the budget analyses take their memory from, before they
// allocate it, so that -o max_memory bounds the daemon and not only the
// files it stores (docs/design.md, "Budget").
//
// Two kinds of charge: the working memory of an analysis while it runs
// (its estimate: Analyzer::working_bytes plus the decoder's peak), and the
// decoded pixels of an image version while the service keeps them for the
// version's other analyses. The daemon's gate is cache::MemoryBudget,
// adapted in fs/; a service without one is unbounded (tests, tools).
// Thread-safety: implementations are thread-safe, never block, and never
// call back into the service (it calls them under its own lock).

#include <cstdint>

namespace visionfs::analysis {

class MemoryGate {
 public:
  enum class Use { kWorking, kDecoded };

  virtual ~MemoryGate() = default;
  // Takes `bytes` if the budget holds them now; otherwise takes nothing.
  virtual bool try_take(std::uint64_t bytes, Use use) = 0;
  // REQUIRES: `bytes` of `use` were taken before.
  virtual void give_back(std::uint64_t bytes, Use use) = 0;
  // Bytes taken as `from` are now held as `to` (a decode's pixels, kept
  // once the decoder is done); the total is unchanged.
  virtual void reclassify(std::uint64_t bytes, Use from, Use to) = 0;
  // The whole budget: an analysis that needs more can never run.
  virtual std::uint64_t capacity() const = 0;
};

}  // namespace visionfs::analysis
