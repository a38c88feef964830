// Tree: time to live: the expiry index, what is due, direct eviction.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <cerrno>

namespace visionfs::cache {

void Tree::reindex_locked(Node& node) {
  // Files expire one TTL after their last change; directories too, but only
  // while empty. The root never does.
  bool eligible = node.linked && node.ino != kRootIno &&
                  (node.kind == NodeKind::kFile || (node.kind == NodeKind::kDirectory && node.children.empty()));
  std::optional<TimePoint> when;
  if (eligible) when = node.changed + options_.ttl;
  expiry_.reindex(node.ino, &node.expires_at, when);
}

std::optional<TimePoint> Tree::next_expiry() const {
  MutexLock lock(mu_);
  return expiry_.next();
}

std::vector<ExpiredEntry> Tree::expired(TimePoint now) const {
  MutexLock lock(mu_);
  std::vector<ExpiredEntry> out;
  for (auto ino : expiry_.due(now)) {
    auto node = find_locked(ino);
    if (!node || !node->linked) continue;
    ExpiredEntry entry;
    entry.ino = ino;
    entry.changed = node->changed;
    entry.is_dir = node->kind == NodeKind::kDirectory;
    entry.path = path_locked(*node);
    if (node->kind == NodeKind::kFile) entry.bytes = node->content->size();
    // Every sidecar name a listing showed, so that watchers see each go.
    if (node->kind == NodeKind::kFile && node->is_image.value_or(false) && node->parent) {
      entry.sidecar_names = listed_sidecar_names_locked(*node->parent, node->name);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Errno Tree::evict(const ExpiryTarget& target) {
  Transaction tx(mu_);
  auto node = find_locked(target.ino);
  if (!node || !node->linked || !node->parent) return ENOENT;
  if (!is_target(*node, &target)) return ESTALE;
  if (node->kind == NodeKind::kDirectory && !node->children.empty()) return ENOTEMPTY;
  Node& dir = *node->parent;
  notifications_.push_back({Notification::Type::kInvalEntry, dir.ino, node->name, 0});
  notifications_.push_back({Notification::Type::kInvalInode, 0, {}, node->ino});
  unlink_child_locked(dir, node->name, tx.dead);
  evictions_++;
  return 0;
}

void Tree::count_eviction() {
  MutexLock lock(mu_);
  evictions_++;
}

}  // namespace visionfs::cache
