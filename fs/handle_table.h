#pragma once
// HandleTable: open file and directory handles, by the number the kernel
// gets as fi->fh.
//
// Why not a raw pointer in fi->fh: the kernel can send RELEASE for a handle
// while a READ on it is still being answered (measured with ASan: a read of
// .visionfs/stats.json replied from a handle that a concurrent release had
// freed). Requests take a shared reference from the table, so a release only
// drops the table's reference and the handle lives until the last request
// using it is done.
// Thread-safety: all methods are thread-safe; the handles themselves are
// immutable after add() except through their own synchronisation.

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace visionfs::fs {

template <typename Handle>
class HandleTable {
 public:
  std::uint64_t add(std::shared_ptr<Handle> handle) {
    std::lock_guard lock(mu_);
    std::uint64_t id = next_id_++;
    handles_.emplace(id, std::move(handle));
    return id;
  }
  // Null if `id` is not open.
  std::shared_ptr<Handle> get(std::uint64_t id) const {
    std::lock_guard lock(mu_);
    auto it = handles_.find(id);
    return it == handles_.end() ? nullptr : it->second;
  }
  // Removes and returns the table's reference (null if `id` is not open).
  std::shared_ptr<Handle> remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    auto it = handles_.find(id);
    if (it == handles_.end()) return nullptr;
    auto handle = std::move(it->second);
    handles_.erase(it);
    return handle;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Handle>> handles_;
  std::uint64_t next_id_ = 1;
};

}  // namespace visionfs::fs
