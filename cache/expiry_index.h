#pragma once
// ExpiryIndex: which nodes expire when (files, and empty directories), in
// order, so the evictor finds what is due without walking the tree.
// Thread-safety: none of its own; the Tree's mutex guards it.

#include "cache/clock.h"

#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace visionfs::cache {

class ExpiryIndex {
 public:
  // Moves `ino` from `*slot` (its current expiry, if any) to `when` (none:
  // not indexed), and updates `*slot`.
  void reindex(std::uint64_t ino, std::optional<TimePoint>* slot, std::optional<TimePoint> when);
  std::optional<TimePoint> next() const;
  // Inode numbers due at `now`, earliest first.
  std::vector<std::uint64_t> due(TimePoint now) const;

 private:
  std::set<std::pair<TimePoint, std::uint64_t>> entries_;
};

}  // namespace visionfs::cache
