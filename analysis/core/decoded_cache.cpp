#include "analysis/core/decoded_cache.h"

#include <algorithm>
#include <chrono>

namespace visionfs::analysis {
namespace {

bool ready(const DecodedCache::Entry& entry) {
  return entry.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

}  // namespace

DecodedVersion::~DecodedVersion() {
  image.reset();  // wiped now, if this was the last holder (DecodedImage)
  if (gate && charged) gate->give_back(charged, MemoryGate::Use::kDecoded);
}

const DecodedCache::Entry* DecodedCache::find(ImageKey key) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
  if (it == entries_.end()) return nullptr;
  entries_.splice(entries_.end(), entries_, it);  // most recently used last
  return &entries_.back().second;
}

void DecodedCache::insert(ImageKey key, Entry entry) { entries_.emplace_back(key, std::move(entry)); }

void DecodedCache::drop(ImageKey key, Dropped& out) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
  if (it == entries_.end()) return;
  out.push_back(std::move(it->second));
  entries_.erase(it);
}

std::size_t DecodedCache::bytes() const {
  std::size_t total = 0;
  for (const auto& [key, entry] : entries_) total += ready(entry) ? entry.get()->bytes() : 0;
  return total;
}

void DecodedCache::trim(Dropped& out) {
  std::size_t total = bytes();
  while (entries_.size() > 1 && total > cap_bytes_ && ready(entries_.front().second)) {
    total -= entries_.front().second.get()->bytes();
    out.push_back(std::move(entries_.front().second));
    entries_.pop_front();
  }
}

std::size_t DecodedCache::drop_unused(Dropped& out) {
  std::size_t dropped = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    // Held by the cache alone: no analysis is reading these pixels.
    // (The count can only grow under the service's lock, which we hold.)
    if (ready(it->second) && it->second.get().use_count() == 1) {
      out.push_back(std::move(it->second));
      it = entries_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

void DecodedCache::clear(Dropped& out) {
  for (auto& [key, entry] : entries_) out.push_back(std::move(entry));
  entries_.clear();
}

}  // namespace visionfs::analysis
