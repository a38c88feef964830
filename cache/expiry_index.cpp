#include "cache/expiry_index.h"

namespace visionfs::cache {

void ExpiryIndex::reindex(std::uint64_t ino, std::optional<TimePoint>* slot, std::optional<TimePoint> when) {
  if (*slot) entries_.erase({**slot, ino});
  *slot = when;
  if (when) entries_.insert({*when, ino});
}

std::optional<TimePoint> ExpiryIndex::next() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.begin()->first;
}

std::vector<std::uint64_t> ExpiryIndex::due(TimePoint now) const {
  std::vector<std::uint64_t> out;
  for (const auto& [when, ino] : entries_) {
    if (when > now) break;
    out.push_back(ino);
  }
  return out;
}

}  // namespace visionfs::cache
