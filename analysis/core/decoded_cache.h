#pragma once
// DecodedCache: the decoded pixels of recent image versions, so that the
// analyses of one version share one decode (NAME.json's seven parts decode
// the photo once).
//
// Owns: one entry per version, oldest first; an entry is a future, so the
// analyses of a version wait for the one decode in progress. Each decoded
// image holds its charge on the memory gate and gives it back when the last
// holder (the cache, or a running analysis) lets it go; its destructor wipes
// the pixels (DecodedImage).
// Thread-safety: none; AnalysisService guards it with its own mutex. Entries
// taken out (dropped) are returned to the caller, who destroys them after
// unlocking: wiping a large image takes milliseconds.

#include "analysis/core/errors.h"
#include "analysis/core/memory_gate.h"
#include "analysis/decode/decoded_image.h"

#include <cstdint>
#include <future>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace visionfs::analysis {

struct ImageKey {
  std::uint64_t id = 0;       // the image file's inode number
  std::uint64_t version = 0;  // bumped by every change of its bytes
  auto operator<=>(const ImageKey&) const = default;
};

// The outcome of one decode, and the budget it holds.
struct DecodedVersion {
  std::shared_ptr<const DecodedImage> image;  // null on error
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  MemoryGate* gate = nullptr;  // what `charged` was taken from
  std::uint64_t charged = 0;

  DecodedVersion() = default;
  DecodedVersion(const DecodedVersion&) = delete;
  DecodedVersion& operator=(const DecodedVersion&) = delete;
  ~DecodedVersion();
  std::size_t bytes() const { return image ? image->pixels.total() * image->pixels.elemSize() : 0; }
};

class DecodedCache {
 public:
  using Entry = std::shared_future<std::shared_ptr<const DecodedVersion>>;
  using Dropped = std::vector<Entry>;

  explicit DecodedCache(std::size_t cap_bytes) : cap_bytes_(cap_bytes) {}

  // The entry of `key`, now the most recently used; null when absent.
  const Entry* find(ImageKey key);
  void insert(ImageKey key, Entry entry);
  void drop(ImageKey key, Dropped& out);
  // Oldest decoded entries beyond the byte cap; the newest always stays.
  void trim(Dropped& out);
  // Decoded entries no running analysis holds: what can go to make room.
  // Returns how many.
  std::size_t drop_unused(Dropped& out);
  void clear(Dropped& out);
  std::size_t size() const { return entries_.size(); }
  // Bytes of pixels held (decodes still in progress count 0).
  std::size_t bytes() const;

 private:
  const std::size_t cap_bytes_;
  std::list<std::pair<ImageKey, Entry>> entries_;  // oldest first
};

}  // namespace visionfs::analysis
