// Tree: construction, node bookkeeping (inode table, links, lookup
// counts), lookup and attributes, statistics.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace visionfs::cache {

using internal::kNameMax;
using internal::wall_now;

Tree::Tree(const Clock& clock, MemoryBudget& budget, TreeOptions options)
    : clock_(clock), budget_(budget), options_(std::move(options)) {
  root_ = std::make_shared<Node>(kRootIno, NodeKind::kDirectory, &budget_);
  root_->mode = S_IFDIR | (options_.root_mode & 07777);
  root_->uid = options_.root_uid;
  root_->gid = options_.root_gid;
  root_->atime = root_->mtime = root_->ctime = wall_now();
  root_->linked = true;
  root_->changed = clock_.now();
  inodes_[kRootIno] = root_;
}

NodePtr Tree::new_node(NodeKind kind, mode_t mode, const Caller& caller) {
  auto node = std::make_shared<Node>(next_ino_++, kind, &budget_);
  node->mode = mode;
  node->uid = caller.uid;
  node->gid = caller.gid;
  node->atime = node->mtime = node->ctime = wall_now();
  node->changed = clock_.now();
  if (kind == NodeKind::kFile) node->content = std::make_shared<SecureBuffer>();
  return node;
}

NodePtr Tree::find_locked(Ino ino) const {
  auto it = inodes_.find(ino);
  return it == inodes_.end() ? nullptr : it->second;
}

NodePtr Tree::dir_locked(Ino ino, Errno* err) const {
  auto node = find_locked(ino);
  if (!node) {
    *err = ENOENT;
  } else if (node->kind != NodeKind::kDirectory) {
    *err = ENOTDIR;
    node = nullptr;
  } else if (!node->linked) {
    *err = ENOENT;  // a removed directory accepts no new entries
    node = nullptr;
  }
  return node;
}

void Tree::fill_stat_locked(const Node& node, struct stat* out) const {
  *out = {};
  out->st_ino = node.ino;
  out->st_mode = node.mode;
  out->st_uid = node.uid;
  out->st_gid = node.gid;
  out->st_atim = node.atime;
  out->st_mtim = node.mtime;
  out->st_ctim = node.ctime;
  // 1 MiB matches max_write, so cp and friends pick large buffers.
  out->st_blksize = 1 << 20;
  switch (node.kind) {
    case NodeKind::kDirectory: {
      nlink_t subdirs = 0;
      for (const auto& [name, child] : node.children) subdirs += child->kind == NodeKind::kDirectory;
      out->st_nlink = node.linked ? 2 + subdirs : 0;
      out->st_size = 4096;
      break;
    }
    case NodeKind::kFile:
      out->st_nlink = node.linked ? 1 : 0;
      out->st_size = static_cast<off_t>(node.content->size());
      break;
    case NodeKind::kSidecar:
      out->st_nlink = node.linked ? 1 : 0;
      out->st_size = node.result ? static_cast<off_t>(node.result->size()) : 0;
      break;
    case NodeKind::kNameList:
      out->st_nlink = node.linked ? 1 : 0;
      out->st_size = node.parent ? static_cast<off_t>(hidden_text_locked(*node.parent).size()) : 0;
      if (node.parent) out->st_mtim = out->st_ctim = node.parent->hidden_names_changed;
      break;
  }
  // KIO reads a .hidden again only when its mtime moves: the user's moves
  // with the computed names merged into it.
  if (node.kind == NodeKind::kFile && node.linked && node.parent && node.name == kHiddenList &&
      internal::later(node.parent->hidden_names_changed, out->st_mtim)) {
    out->st_mtim = node.parent->hidden_names_changed;
  }
  out->st_blocks = (out->st_size + 511) / 512;
}

void Tree::touch_dir_locked(Node& dir) {
  dir.mtime = dir.ctime = dir.hidden_names_changed = wall_now();
  dir.changed = dir.activity = clock_.now();
  reindex_locked(dir);
}

void Tree::link_locked(Node& dir, const std::string& name, const NodePtr& child) {
  dir.children[name] = child;
  child->parent = &dir;
  child->name = name;
  child->linked = true;
  inodes_[child->ino] = child;
  reindex_locked(*child);
  touch_dir_locked(dir);
}

NodePtr Tree::unlink_child_locked(Node& dir, const std::string& name, Graveyard& dead) {
  auto it = dir.children.find(name);
  NodePtr child = it->second;
  dir.children.erase(it);
  child->linked = false;
  child->parent = nullptr;
  reindex_locked(*child);
  if (child->kind == NodeKind::kFile) {
    queue_sidecar_invalidations_locked(dir, name, *child);
    detach_sidecars_locked(*child, dead);
  }
  if (child->hidden_list) {  // a directory's computed .hidden goes with it
    child->hidden_list->linked = false;
    child->hidden_list->parent = nullptr;
    maybe_drop_inode_locked(child->hidden_list, dead);
    child->hidden_list.reset();
  }
  touch_dir_locked(dir);
  maybe_drop_inode_locked(child, dead);
  return child;
}

void Tree::maybe_drop_inode_locked(const NodePtr& node, Graveyard& dead) {
  if (node->linked || node->nlookup > 0) return;
  auto it = inodes_.find(node->ino);
  if (it != inodes_.end() && it->second == node) {
    dead.push_back(std::move(it->second));
    inodes_.erase(it);
  }
}

std::vector<std::string> Tree::path_locked(const Node& node) const {
  std::vector<std::string> path;
  for (const Node* n = &node; n && n->ino != kRootIno; n = n->parent) path.push_back(n->name);
  std::reverse(path.begin(), path.end());
  return path;
}

Errno Tree::lookup(Ino parent, const std::string& name, Entry* out, pid_t asking) {
  MutexLock lock(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  if (name.size() > kNameMax) return ENAMETOOLONG;
  NodePtr node;
  if (name == ".") {
    node = dir;
  } else if (name == "..") {
    node = dir->parent ? find_locked(dir->parent->ino) : dir;
  } else if (auto it = dir->children.find(name); it != dir->children.end()) {
    node = it->second;
  } else if (name == kHiddenList) {
    node = hidden_list_locked(*dir);
  } else {
    node = resolve_sidecar_locked(*dir, name, asking);
    if (node) {
      auto image = node->image.lock();
      out->provisional = image && image->names_wait_for_quiet && !sidecar_shown_locked(*dir, *image, node->analyzer);
    }
  }
  if (!node) return ENOENT;
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return 0;
}

void Tree::ref(const NodePtr& node) {
  MutexLock lock(mu_);
  node->nlookup++;
  // A node unlinked between lookup() and the reply is still what the
  // kernel now refers to: keep it addressable until forget.
  inodes_.try_emplace(node->ino, node);
}

void Tree::forget(Ino ino, std::uint64_t count) {
  Transaction tx(mu_);
  auto node = find_locked(ino);
  if (!node || ino == kRootIno) return;
  node->nlookup -= std::min(node->nlookup, count);
  maybe_drop_inode_locked(node, tx.dead);
}

NodePtr Tree::find(Ino ino) const {
  MutexLock lock(mu_);
  return find_locked(ino);
}

Errno Tree::getattr(Ino ino, struct stat* out) {
  MutexLock lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  fill_stat_locked(*node, out);
  return 0;
}

std::size_t Tree::inode_count() const {
  MutexLock lock(mu_);
  return inodes_.size();
}

std::vector<Notification> Tree::take_notifications() {
  MutexLock lock(mu_);
  return std::exchange(notifications_, {});
}

std::vector<std::pair<Ino, std::uint64_t>> Tree::take_dropped_versions() {
  MutexLock lock(mu_);
  return std::exchange(dropped_versions_, {});
}

TreeStats Tree::stats() const {
  MutexLock lock(mu_);
  TreeStats s;
  for (const auto& [ino, node] : inodes_) {
    (void)ino;
    if (!node->linked) continue;
    if (node->kind == NodeKind::kFile) {
      s.files++;
      if (node->is_image.value_or(false) && node->is_image_version == node->version) s.images++;
    } else if (node->kind == NodeKind::kDirectory) {
      s.directories++;
    } else if (node->result) {
      s.sidecars_computed++;
    }
  }
  s.bytes_used = budget_.used();
  s.bytes_limit = budget_.limit();
  s.evictions = evictions_;
  return s;
}

}  // namespace visionfs::cache
