// Tree: the namespace: mkdir, create, unlink, rmdir, rename, listings.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <fcntl.h>
#include <linux/fs.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE

#include <algorithm>
#include <cerrno>

namespace visionfs::cache {

using internal::kNameMax;
using internal::wall_now;

Errno Tree::mkdir(Ino parent, const std::string& name, mode_t mode, const Caller& caller, Entry* out) {
  MutexLock lock(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  if (name.size() > kNameMax) return ENAMETOOLONG;
  // A computed sidecar name does not stop it: the user's entry wins.
  if (dir->children.count(name)) return EEXIST;
  auto node = new_node(NodeKind::kDirectory, S_IFDIR | (mode & 07777), caller);
  node->activity = clock_.now();  // a new directory is being filled
  node->filling = true;
  if (dir->mode & S_ISGID) {
    node->gid = dir->gid;
    node->mode |= S_ISGID;
  }
  link_locked(*dir, name, node);
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return 0;
}

bool Tree::filling_locked(Node& dir) const {
  if (dir.filling && clock_.now() - dir.activity >= kNameQuiet) dir.filling = false;
  return dir.filling;
}

Errno Tree::replace_computed(const NodePtr& computed, mode_t mode, const Caller& caller) {
  Transaction tx(mu_);
  Node* dir = computed->parent;
  if (!computed->linked || !dir || !dir->linked) return ENOENT;
  std::string name = kHiddenList;
  if (computed->kind == NodeKind::kSidecar) {
    auto image = computed->image.lock();
    if (!image || !image->linked || image->parent != dir) return ENOENT;
    name = sidecar_name(image->name, computed->analyzer);
  } else if (computed->kind != NodeKind::kNameList) {
    return EINVAL;
  }
  if (dir->children.count(name)) return 0;  // replaced already: the caller's retry finds it
  auto file = new_node(NodeKind::kFile, S_IFREG | (mode & 0777), caller);
  if (dir->mode & S_ISGID) file->gid = dir->gid;
  link_locked(*dir, name, file);
  return 0;
}

Errno Tree::create(Ino parent, const std::string& name, mode_t mode, int flags, const Caller& caller,
                   Entry* out, OpenResult* open_out) {
  // One transaction: nobody sees the new file before it is open, and an
  // existing one cannot be removed between being found and being opened.
  Transaction tx(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  if (name.size() > kNameMax) return ENAMETOOLONG;
  NodePtr node;
  bool created = false;
  if (auto it = dir->children.find(name); it != dir->children.end()) {
    if (flags & O_EXCL) return EEXIST;
    if (it->second->kind == NodeKind::kDirectory) return EISDIR;
    node = it->second;
  } else {
    // Over a computed sidecar name too: the user's file shadows it.
    node = new_node(NodeKind::kFile, S_IFREG | (mode & 07777), caller);
    if (dir->mode & S_ISGID) node->gid = dir->gid;
    node->names_wait_for_quiet = filling_locked(*dir);
    note_filler_locked(*dir, caller.thread);
    created = true;
  }
  if (Errno open_err = open_locked(*node, flags, open_out, tx.dead)) return open_err;
  if (created) link_locked(*dir, name, node);
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return 0;
}

bool Tree::is_target(const Node& node, const ExpiryTarget* target) {
  return !target || (node.ino == target->ino && node.changed == target->changed);
}

Errno Tree::unlink(Ino parent, const std::string& name, const ExpiryTarget* evicting) {
  Transaction tx(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  auto it = dir->children.find(name);
  if (it == dir->children.end()) {
    auto sidecar = resolve_sidecar_locked(*dir, name);
    if (!sidecar) return ENOENT;
    // The user removes a computed name (rm, tar's unlink before it writes
    // its own file): it goes until the image's bytes change.
    if (!evicting) return remove_sidecar_name_locked(*dir, sidecar) ? 0 : ENOENT;
    // The evictor unlinks a sidecar's name only so that directory watchers
    // see IN_DELETE for it. Nothing changes here: the image's own removal,
    // right after, detaches its sidecars and forgets its decoded pixels.
    auto image = sidecar->image.lock();
    return image && is_target(*image, evicting) ? 0 : ESTALE;
  }
  if (it->second->kind == NodeKind::kDirectory) return EISDIR;
  if (!is_target(*it->second, evicting)) return ESTALE;  // renewed or replaced since it expired
  // The evictor unlinks the sidecar names of what it expires itself.
  if (!evicting && is_image_locked(*it->second)) queue_departed_locked(*dir, name);
  unlink_child_locked(*dir, name, tx.dead);
  return 0;
}

Errno Tree::rmdir(Ino parent, const std::string& name, const ExpiryTarget* evicting) {
  Transaction tx(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  if (name == ".") return EINVAL;
  if (name == "..") return ENOTEMPTY;
  auto it = dir->children.find(name);
  if (it == dir->children.end()) {
    return resolve_sidecar_locked(*dir, name) || (name == kHiddenList && hidden_list_locked(*dir)) ? ENOTDIR : ENOENT;
  }
  if (it->second->kind != NodeKind::kDirectory) return ENOTDIR;
  if (!it->second->children.empty()) return ENOTEMPTY;
  if (!is_target(*it->second, evicting)) return ESTALE;
  unlink_child_locked(*dir, name, tx.dead);
  return 0;
}

Errno Tree::rename(Ino parent, const std::string& name, Ino new_parent, const std::string& new_name,
                   unsigned flags) {
  Transaction tx(mu_);
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) return EINVAL;
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return EINVAL;
  Errno err = 0;
  auto from_dir = dir_locked(parent, &err);
  if (!from_dir) return err;
  auto to_dir = dir_locked(new_parent, &err);
  if (!to_dir) return err;
  if (new_name.size() > kNameMax) return ENAMETOOLONG;
  auto src_it = from_dir->children.find(name);
  if (src_it == from_dir->children.end()) return resolve_sidecar_locked(*from_dir, name) ? EPERM : ENOENT;
  NodePtr src = src_it->second;
  auto dst_it = to_dir->children.find(new_name);
  NodePtr dst = dst_it == to_dir->children.end() ? nullptr : dst_it->second;
  // Onto a computed sidecar name, the user's file takes the name and shadows
  // it (a photo manager's save: a temporary file renamed over NAME.xmp).
  if (src == dst) return 0;

  // A directory cannot move below itself.
  if (src->kind == NodeKind::kDirectory) {
    for (const Node* n = to_dir.get(); n; n = n->parent) {
      if (n == src.get()) return EINVAL;
    }
  }
  if (flags & RENAME_EXCHANGE) return exchange_locked(*from_dir, name, src, *to_dir, new_name, dst);
  if (dst) {
    if (flags & RENAME_NOREPLACE) return EEXIST;
    if (src->kind == NodeKind::kDirectory && dst->kind != NodeKind::kDirectory) return ENOTDIR;
    if (src->kind != NodeKind::kDirectory && dst->kind == NodeKind::kDirectory) return EISDIR;
    if (dst->kind == NodeKind::kDirectory && !dst->children.empty()) return ENOTEMPTY;
    // An image replaced by a file that is not one takes its sidecar names along.
    if (is_image_locked(*dst) && !is_image_locked(*src)) queue_departed_locked(*to_dir, new_name);
    unlink_child_locked(*to_dir, new_name, tx.dead);
  }
  if (src->kind == NodeKind::kFile) queue_sidecar_invalidations_locked(*from_dir, name, *src);
  const bool replaces_image = dst && dst->kind == NodeKind::kFile && dst->is_image.value_or(false);
  if (is_image_locked(*src) && (from_dir != to_dir || name != new_name)) queue_departed_locked(*from_dir, name);
  from_dir->children.erase(name);
  touch_dir_locked(*from_dir);
  // Renaming is not modifying: the TTL clock of the file keeps running.
  TimePoint changed = src->changed;
  link_locked(*to_dir, new_name, src);
  src->changed = changed;
  // Over an image, the names stay the same; otherwise they arrive.
  if (!replaces_image && is_image_locked(*src) && (from_dir != to_dir || name != new_name)) {
    queue_arrived_locked(*to_dir, new_name);
  }
  reindex_locked(*src);
  src->ctime = wall_now();
  // Sidecars follow their image: same nodes, new names.
  for (auto& [a, s] : src->sidecars) s->parent = to_dir.get();
  return 0;
}

Errno Tree::exchange_locked(Node& from_dir, const std::string& name, const NodePtr& src, Node& to_dir,
                           const std::string& new_name, const NodePtr& dst) {
  if (!dst) return ENOENT;
  if (dst->kind == NodeKind::kDirectory) {
    for (const Node* n = &from_dir; n; n = n->parent) {
      if (n == dst.get()) return EINVAL;
    }
  }
  for (auto* n : {src.get(), dst.get()}) {
    if (n->kind == NodeKind::kFile) queue_sidecar_invalidations_locked(*n->parent, n->name, *n);
  }
  from_dir.children[name] = dst;
  to_dir.children[new_name] = src;
  dst->parent = &from_dir;
  dst->name = name;
  src->parent = &to_dir;
  src->name = new_name;
  for (auto* n : {src.get(), dst.get()}) {
    n->ctime = wall_now();
    for (auto& [a, s] : n->sidecars) s->parent = n->parent;
  }
  touch_dir_locked(from_dir);
  touch_dir_locked(to_dir);
  return 0;
}

Errno Tree::readdir(Ino ino, std::vector<DirEntry>* out, Ino* parent_ino, pid_t asking) {
  MutexLock lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (node->kind != NodeKind::kDirectory) return ENOTDIR;
  *parent_ino = node->parent ? node->parent->ino : node->ino;
  out->clear();
  if (auto hidden = hidden_list_locked(*node)) out->push_back({kHiddenList, hidden->ino, S_IFREG, false});
  for (const auto& child_entry : node->children) {
    const std::string& name = child_entry.first;
    const NodePtr& child = child_entry.second;
    out->push_back({name, child->ino, static_cast<mode_t>(child->mode & S_IFMT), true});
    if (child->kind != NodeKind::kFile || !is_image_locked(*child)) continue;
    // Listing computes nothing: sidecar nodes are created (for stable inode
    // numbers) but their analyses start only on lookup, getattr or open.
    // -o listed= leaves some kinds out; lookup still finds them.
    for (const auto& analyzer : listed_kinds()) {
      auto sidecar_name_str = sidecar_name(name, analyzer);
      // A name over NAME_MAX could be listed but never looked up (ls -l and
      // tar fail on it): an image with a very long name has no such sidecar.
      if (sidecar_name_str.size() > kNameMax) continue;
      if (node->children.count(sidecar_name_str)) continue;  // a real file shadows it
      if (!sidecar_shown_locked(*node, *child, analyzer, asking)) continue;  // removed, or not yet
      auto sidecar = sidecar_for_locked(*child, analyzer);
      // Shown to this reader only: no attributes, so readdirplus leaves the
      // kernel no entry that would refuse a copier's O_EXCL create.
      bool provisional = child->names_wait_for_quiet && !sidecar_shown_locked(*node, *child, analyzer);
      out->push_back({sidecar_name_str, sidecar->ino, S_IFREG, sidecar->result != nullptr && !provisional});
    }
  }
  return 0;
}

bool Tree::current_entry(Ino dir_ino, const std::string& name, Ino ino, Entry* out) {
  MutexLock lock(mu_);
  Errno err = 0;
  auto dir = dir_locked(dir_ino, &err);
  if (!dir) return false;
  NodePtr node;
  if (auto it = dir->children.find(name); it != dir->children.end()) {
    node = it->second;
  } else {
    node = resolve_sidecar_locked(*dir, name);
  }
  if (!node || node->ino != ino) return false;
  if (node->kind == NodeKind::kSidecar && !node->result) return false;  // never a provisional size
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return true;
}

}  // namespace visionfs::cache
