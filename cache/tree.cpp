#include "cache/tree.h"

#include <fcntl.h>
#include <linux/fs.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <utility>

namespace visionfs::cache {
namespace {

timespec wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

constexpr std::string_view kJson = ".json";
constexpr std::size_t kXattrValueMax = 64 * 1024;  // XATTR_SIZE_MAX
constexpr std::size_t kNameMax = 255;

bool writable(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

}  // namespace

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

// ---- helpers (REQUIRE mu_) ----

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
  }
  out->st_blocks = (out->st_size + 511) / 512;
}

void Tree::reindex_locked(Node& node) {
  if (node.expires_at) {
    expiry_.erase({*node.expires_at, node.ino});
    node.expires_at.reset();
  }
  if (!node.linked || node.ino == kRootIno) return;
  bool eligible = node.kind == NodeKind::kFile ||
                  (node.kind == NodeKind::kDirectory && node.children.empty());
  if (!eligible) return;
  node.expires_at = node.changed + options_.ttl;
  expiry_.insert({*node.expires_at, node.ino});
}

void Tree::touch_dir_locked(Node& dir) {
  dir.mtime = dir.ctime = wall_now();
  dir.changed = clock_.now();
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

std::string Tree::sidecar_name(const std::string& image_name, const std::string& analyzer) const {
  return analyzer == kCombinedSidecar ? image_name + std::string(kJson) : image_name + "." + analyzer + std::string(kJson);
}

bool Tree::is_image_locked(Node& file) {
  if (file.kind != NodeKind::kFile || !options_.is_image) return false;
  if (!file.is_image || file.is_image_version != file.version) {
    auto bytes = file.content->bytes();
    file.is_image = options_.is_image(bytes.first(std::min(bytes.size(), options_.sniff_bytes)));
    file.is_image_version = file.version;
  }
  return *file.is_image;
}

void Tree::queue_sidecar_invalidations_locked(const Node& dir, const std::string& image_name, const Node& image) {
  for (const auto& [analyzer, sidecar] : image.sidecars) {
    if (sidecar->nlookup > 0) {
      notifications_.push_back({Notification::Type::kInvalEntry, dir.ino, sidecar_name(image_name, analyzer), 0});
    }
  }
}

void Tree::detach_sidecars_locked(Node& image, Graveyard& dead) {
  if (!image.sidecars.empty()) {
    dropped_versions_.emplace_back(image.ino, image.sidecars.begin()->second->image_version);
  }
  for (auto& [analyzer, sidecar] : image.sidecars) {
    sidecar->linked = false;
    sidecar->parent = nullptr;
    if (sidecar->result && sidecar->charged > 0) {
      // The bytes live on while an open handle reads them; the budget is
      // given back now, as for the image itself.
      budget_.release(sidecar->charged);
      sidecar->charged = 0;
    }
    maybe_drop_inode_locked(sidecar, dead);
  }
  image.sidecars.clear();
}

void Tree::content_changed_locked(Node& file, Graveyard& dead) {
  file.version++;
  file.mtime = file.ctime = wall_now();
  file.changed = clock_.now();
  reindex_locked(file);
  if (!file.sidecars.empty()) {
    if (file.parent) queue_sidecar_invalidations_locked(*file.parent, file.name, file);
    detach_sidecars_locked(file, dead);
  }
}

NodePtr Tree::sidecar_for_locked(Node& image, const std::string& analyzer) {
  auto it = image.sidecars.find(analyzer);
  if (it != image.sidecars.end()) return it->second;
  auto sidecar = std::make_shared<Node>(next_ino_++, NodeKind::kSidecar, &budget_);
  sidecar->mode = S_IFREG | 0444;
  sidecar->uid = image.uid;
  sidecar->gid = image.gid;
  sidecar->atime = sidecar->mtime = sidecar->ctime = image.mtime;
  sidecar->parent = image.parent;
  sidecar->linked = true;
  sidecar->analyzer = analyzer;
  sidecar->image_version = image.version;
  sidecar->changed = image.changed;
  // The image node holds its sidecars; a sidecar holds its image weakly.
  sidecar->image = image.weak_from_this();
  image.sidecars[analyzer] = sidecar;
  inodes_[sidecar->ino] = sidecar;
  return sidecar;
}

NodePtr Tree::resolve_sidecar_locked(Node& dir, const std::string& name) {
  if (name.size() <= kJson.size() || !name.ends_with(kJson)) return nullptr;
  std::string stem = name.substr(0, name.size() - kJson.size());
  auto try_image = [&](const std::string& image_name, const std::string& analyzer) -> NodePtr {
    auto it = dir.children.find(image_name);
    if (it == dir.children.end() || !is_image_locked(*it->second)) return nullptr;
    return sidecar_for_locked(*it->second, analyzer);
  };
  if (auto combined = try_image(stem, kCombinedSidecar)) return combined;
  auto dot = stem.rfind('.');
  if (dot == std::string::npos || dot == 0) return nullptr;
  std::string analyzer = stem.substr(dot + 1);
  if (std::find(options_.sidecar_analyzers.begin(), options_.sidecar_analyzers.end(), analyzer) ==
      options_.sidecar_analyzers.end()) {
    return nullptr;
  }
  return try_image(stem.substr(0, dot), analyzer);
}

Errno Tree::resize_locked(Node& file, std::size_t new_size) {
  std::size_t old_size = file.content->size();
  if (new_size > old_size) {
    if (!budget_.try_charge(new_size - old_size)) return ENOSPC;
    file.charged += new_size - old_size;
  }
  if (file.content.use_count() > 1) {
    // Someone (a reader's snapshot, an analysis) holds the current bytes:
    // copy on write, so what they hold never changes under them.
    auto copy = std::make_shared<SecureBuffer>(file.content->clone());
    file.content = std::move(copy);
  }
  try {
    file.content->resize(new_size);
  } catch (const std::bad_alloc&) {
    if (new_size > old_size) {
      budget_.release(new_size - old_size);
      file.charged -= new_size - old_size;
    }
    return ENOMEM;
  }
  if (new_size < old_size) {
    budget_.release(old_size - new_size);
    file.charged -= old_size - new_size;
  }
  return 0;
}

std::vector<std::string> Tree::path_locked(const Node& node) const {
  std::vector<std::string> path;
  for (const Node* n = &node; n && n->ino != kRootIno; n = n->parent) path.push_back(n->name);
  std::reverse(path.begin(), path.end());
  return path;
}

// ---- public ----

Errno Tree::lookup(Ino parent, const std::string& name, Entry* out) {
  std::lock_guard lock(mu_);
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
  } else {
    node = resolve_sidecar_locked(*dir, name);
  }
  if (!node) return ENOENT;
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return 0;
}

void Tree::ref(const NodePtr& node) {
  std::lock_guard lock(mu_);
  node->nlookup++;
  // A node unlinked between lookup() and the reply is still what the
  // kernel now refers to: keep it addressable until forget.
  inodes_.try_emplace(node->ino, node);
}

void Tree::forget(Ino ino, std::uint64_t count) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node || ino == kRootIno) return;
  node->nlookup -= std::min(node->nlookup, count);
  maybe_drop_inode_locked(node, dead);
}

NodePtr Tree::find(Ino ino) const {
  std::lock_guard lock(mu_);
  return find_locked(ino);
}

Errno Tree::getattr(Ino ino, struct stat* out) {
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  fill_stat_locked(*node, out);
  return 0;
}

Errno Tree::setattr(Ino ino, const SetAttr& c, const Caller& caller, struct stat* out) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (node->kind == NodeKind::kSidecar) {
    if (c.size || c.mode || c.uid || c.gid) return EACCES;
  }
  if (c.uid || c.gid) {
    // chown(2) rules: only root gives a file away; the owner may change the
    // group (to one of theirs: approximated by their primary group).
    bool root = caller.uid == 0;
    if (c.uid && *c.uid != node->uid && !root) return EPERM;
    if (c.gid && *c.gid != node->gid && !root && (caller.uid != node->uid || *c.gid != caller.gid)) return EPERM;
  }
  if (c.mode && !(caller.uid == 0 || caller.uid == node->uid)) return EPERM;
  if (c.size) {
    if (node->kind == NodeKind::kDirectory) return EISDIR;
    if (*c.size < 0) return EINVAL;
    if (Errno err = resize_locked(*node, static_cast<std::size_t>(*c.size))) return err;
    content_changed_locked(*node, dead);
  }
  auto now = wall_now();
  if (c.mode) node->mode = (node->mode & S_IFMT) | (*c.mode & 07777);
  if (c.uid) node->uid = *c.uid;
  if (c.gid) node->gid = *c.gid;
  if (c.uid || c.gid) {
    // As chown(2): set-user-ID goes; set-group-ID goes when it means "setgid
    // executable" (with group execute), not when it means mandatory locking.
    node->mode &= ~S_ISUID;
    if (node->mode & S_IXGRP) node->mode &= ~S_ISGID;
  }
  if (c.atime) node->atime = c.atime->tv_nsec == UTIME_NOW ? now : *c.atime;
  if (c.mtime) node->mtime = c.mtime->tv_nsec == UTIME_NOW ? now : *c.mtime;
  node->ctime = now;
  fill_stat_locked(*node, out);
  return 0;
}

Errno Tree::mkdir(Ino parent, const std::string& name, mode_t mode, const Caller& caller, Entry* out) {
  std::lock_guard lock(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  if (name.size() > kNameMax) return ENAMETOOLONG;
  if (dir->children.count(name) || resolve_sidecar_locked(*dir, name)) return EEXIST;
  auto node = new_node(NodeKind::kDirectory, S_IFDIR | (mode & 07777), caller);
  if (dir->mode & S_ISGID) {
    node->gid = dir->gid;
    node->mode |= S_ISGID;
  }
  link_locked(*dir, name, node);
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return 0;
}

Errno Tree::create(Ino parent, const std::string& name, mode_t mode, int flags, const Caller& caller,
                   Entry* out, OpenResult* open_out) {
    NodePtr node;
  {
    std::lock_guard lock(mu_);
    Errno err = 0;
    auto dir = dir_locked(parent, &err);
    if (!dir) return err;
    if (name.size() > kNameMax) return ENAMETOOLONG;
    if (auto it = dir->children.find(name); it != dir->children.end()) {
      if (flags & O_EXCL) return EEXIST;
      if (it->second->kind == NodeKind::kDirectory) return EISDIR;
      node = it->second;
    } else if (resolve_sidecar_locked(*dir, name)) {
      return (flags & O_EXCL) ? EEXIST : EACCES;
    } else {
      node = new_node(NodeKind::kFile, S_IFREG | (mode & 07777), caller);
      if (dir->mode & S_ISGID) node->gid = dir->gid;
      link_locked(*dir, name, node);
    }
  }
  if (Errno err = open(node, flags, open_out)) return err;
  std::lock_guard lock(mu_);
  out->node = node;
  fill_stat_locked(*node, &out->attr);
  return 0;
}

bool Tree::is_target(const Node& node, const ExpiryTarget* target) {
  return !target || (node.ino == target->ino && node.changed == target->changed);
}

Errno Tree::unlink(Ino parent, const std::string& name, const ExpiryTarget* evicting) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  auto it = dir->children.find(name);
  if (it == dir->children.end()) {
    auto sidecar = resolve_sidecar_locked(*dir, name);
    if (!sidecar) return ENOENT;
    if (!evicting) return EPERM;
    // The evictor unlinks a sidecar's name only so that directory watchers
    // see IN_DELETE for it. Nothing changes here: the image's own removal,
    // right after, detaches its sidecars and forgets its decoded pixels.
    auto image = sidecar->image.lock();
    return image && is_target(*image, evicting) ? 0 : ESTALE;
  }
  if (it->second->kind == NodeKind::kDirectory) return EISDIR;
  if (!is_target(*it->second, evicting)) return ESTALE;  // renewed or replaced since it expired
  unlink_child_locked(*dir, name, dead);
  return 0;
}

Errno Tree::rmdir(Ino parent, const std::string& name, const ExpiryTarget* evicting) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  Errno err = 0;
  auto dir = dir_locked(parent, &err);
  if (!dir) return err;
  if (name == ".") return EINVAL;
  if (name == "..") return ENOTEMPTY;
  auto it = dir->children.find(name);
  if (it == dir->children.end()) return resolve_sidecar_locked(*dir, name) ? ENOTDIR : ENOENT;
  if (it->second->kind != NodeKind::kDirectory) return ENOTDIR;
  if (!it->second->children.empty()) return ENOTEMPTY;
  if (!is_target(*it->second, evicting)) return ESTALE;
  unlink_child_locked(*dir, name, dead);
  return 0;
}

Errno Tree::rename(Ino parent, const std::string& name, Ino new_parent, const std::string& new_name,
                   unsigned flags) {
  Graveyard dead;
  std::lock_guard lock(mu_);
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
  if (!dst && resolve_sidecar_locked(*to_dir, new_name)) return EPERM;
  if (src == dst) return 0;

  // A directory cannot move below itself.
  if (src->kind == NodeKind::kDirectory) {
    for (const Node* n = to_dir.get(); n; n = n->parent) {
      if (n == src.get()) return EINVAL;
    }
  }
  if (flags & RENAME_EXCHANGE) {
    if (!dst) return ENOENT;
    if (dst->kind == NodeKind::kDirectory) {
      for (const Node* n = from_dir.get(); n; n = n->parent) {
        if (n == dst.get()) return EINVAL;
      }
    }
    for (auto* n : {src.get(), dst.get()}) {
      if (n->kind == NodeKind::kFile) queue_sidecar_invalidations_locked(*n->parent, n->name, *n);
    }
    from_dir->children[name] = dst;
    to_dir->children[new_name] = src;
    dst->parent = from_dir.get();
    dst->name = name;
    src->parent = to_dir.get();
    src->name = new_name;
    for (auto* n : {src.get(), dst.get()}) {
      n->ctime = wall_now();
      for (auto& [a, s] : n->sidecars) s->parent = n->parent;
    }
    touch_dir_locked(*from_dir);
    touch_dir_locked(*to_dir);
    return 0;
  }
  if (dst) {
    if (flags & RENAME_NOREPLACE) return EEXIST;
    if (src->kind == NodeKind::kDirectory && dst->kind != NodeKind::kDirectory) return ENOTDIR;
    if (src->kind != NodeKind::kDirectory && dst->kind == NodeKind::kDirectory) return EISDIR;
    if (dst->kind == NodeKind::kDirectory && !dst->children.empty()) return ENOTEMPTY;
    unlink_child_locked(*to_dir, new_name, dead);
  }
  if (src->kind == NodeKind::kFile) queue_sidecar_invalidations_locked(*from_dir, name, *src);
  from_dir->children.erase(name);
  touch_dir_locked(*from_dir);
  // Renaming is not modifying: the TTL clock of the file keeps running.
  TimePoint changed = src->changed;
  link_locked(*to_dir, new_name, src);
  src->changed = changed;
  reindex_locked(*src);
  src->ctime = wall_now();
  // Sidecars follow their image: same nodes, new names.
  for (auto& [a, s] : src->sidecars) s->parent = to_dir.get();
  return 0;
}

Errno Tree::open(const NodePtr& node, int flags, OpenResult* out) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  if (node->kind == NodeKind::kDirectory) {
    if (writable(flags)) return EISDIR;
    return 0;
  }
  if (node->kind == NodeKind::kSidecar) {
    if (writable(flags) || (flags & O_TRUNC)) return EACCES;
    out->keep_cache = true;  // immutable for its inode
    return 0;
  }
  if (writable(flags)) {
    if ((flags & O_TRUNC) && node->content->size() > 0) {
      if (Errno err = resize_locked(*node, 0)) return err;
      content_changed_locked(*node, dead);
    }
    node->writers++;
  }
  // The page cache is kept only when the bytes are the ones the kernel saw
  // at the previous open.
  out->keep_cache = node->version == node->version_at_last_open;
  node->version_at_last_open = node->version;
  out->version = node->version;
  return 0;
}

ReleaseResult Tree::release(const NodePtr& node, int flags) {
  std::lock_guard lock(mu_);
  if (node->kind == NodeKind::kFile && writable(flags) && node->writers > 0) node->writers--;
  return {node->writers == 0, node->version};
}

Errno Tree::read(const NodePtr& node, off_t offset, std::size_t size, ReadResult* out) {
  std::lock_guard lock(mu_);
  std::shared_ptr<const SecureBuffer> bytes;
  if (node->kind == NodeKind::kFile) {
    bytes = node->content;
  } else if (node->kind == NodeKind::kSidecar) {
    bytes = node->result;
    if (!bytes) return EIO;  // the adapter opens sidecars only once computed
  } else {
    return EISDIR;
  }
  if (offset < 0) return EINVAL;
  auto total = bytes->size();
  auto start = std::min<std::size_t>(static_cast<std::size_t>(offset), total);
  auto length = std::min(size, total - start);
  out->bytes = bytes->bytes().subspan(start, length);
  out->snapshot = std::move(bytes);
  return 0;
}

Errno Tree::write(const NodePtr& node, off_t offset, std::span<const std::uint8_t> bytes) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  if (node->kind != NodeKind::kFile) return node->kind == NodeKind::kSidecar ? EACCES : EISDIR;
  if (offset < 0) return EINVAL;
  auto end = static_cast<std::size_t>(offset) + bytes.size();
  if (end > node->content->size()) {
    if (Errno err = resize_locked(*node, end)) return err;
  } else if (node->content.use_count() > 1) {
    if (Errno err = resize_locked(*node, node->content->size())) return err;  // copy on write
  }
  node->content->write(static_cast<std::size_t>(offset), bytes);
  content_changed_locked(*node, dead);
  return 0;
}

Errno Tree::readdir(Ino ino, std::vector<DirEntry>* out, Ino* parent_ino) {
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (node->kind != NodeKind::kDirectory) return ENOTDIR;
  *parent_ino = node->parent ? node->parent->ino : node->ino;
  out->clear();
  for (const auto& [name, child] : node->children) {
    out->push_back({name, child->ino, static_cast<mode_t>(child->mode & S_IFMT), true});
    if (child->kind != NodeKind::kFile || !is_image_locked(*child)) continue;
    // Listing computes nothing: sidecar nodes are created (for stable inode
    // numbers) but their analyses start only on lookup, getattr or open.
    auto add = [&](const std::string& analyzer) {
      auto sidecar_name_str = sidecar_name(name, analyzer);
      // A name over NAME_MAX could be listed but never looked up (ls -l and
      // tar fail on it): an image with a very long name has no such sidecar.
      if (sidecar_name_str.size() > kNameMax) return;
      if (node->children.count(sidecar_name_str)) return;  // a real file shadows it
      auto sidecar = sidecar_for_locked(*child, analyzer);
      out->push_back({sidecar_name_str, sidecar->ino, S_IFREG, sidecar->result != nullptr});
    };
    add(kCombinedSidecar);
    for (const auto& analyzer : options_.sidecar_analyzers) add(analyzer);
  }
  return 0;
}

bool Tree::current_entry(Ino dir_ino, const std::string& name, Ino ino, Entry* out) {
  std::lock_guard lock(mu_);
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

Errno Tree::setxattr(Ino ino, const std::string& name, std::span<const std::uint8_t> value, int flags) {
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (!name.starts_with("user.")) return ENOTSUP;
  if (node->kind == NodeKind::kSidecar) return EACCES;
  if (name.size() > 255 || name.size() == 5) return name.size() == 5 ? EINVAL : ERANGE;
  if (value.size() > kXattrValueMax) return E2BIG;
  auto it = node->xattrs.find(name);
  if ((flags & XATTR_CREATE) && it != node->xattrs.end()) return EEXIST;
  if ((flags & XATTR_REPLACE) && it == node->xattrs.end()) return ENODATA;
  std::uint64_t old_cost = it == node->xattrs.end() ? 0 : name.size() + it->second.size();
  std::uint64_t new_cost = name.size() + value.size();
  if (new_cost > old_cost) {
    if (!budget_.try_charge(new_cost - old_cost)) return ENOSPC;
    node->charged += new_cost - old_cost;
  } else {
    budget_.release(old_cost - new_cost);
    node->charged -= old_cost - new_cost;
  }
  node->xattrs.insert_or_assign(name, SecureBuffer(value));
  node->ctime = wall_now();
  return 0;
}

Errno Tree::getxattr(Ino ino, const std::string& name, std::vector<std::uint8_t>* value) {
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (!name.starts_with("user.")) return ENOTSUP;  // only user.* is stored
  auto it = node->xattrs.find(name);
  if (it == node->xattrs.end()) return ENODATA;
  value->assign(it->second.data(), it->second.data() + it->second.size());
  return 0;
}

Errno Tree::listxattr(Ino ino, std::vector<std::string>* names) {
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  names->clear();
  for (const auto& [name, value] : node->xattrs) names->push_back(name);
  return 0;
}

Errno Tree::removexattr(Ino ino, const std::string& name) {
  std::lock_guard lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (!name.starts_with("user.")) return ENOTSUP;
  if (node->kind == NodeKind::kSidecar) return EACCES;
  auto it = node->xattrs.find(name);
  if (it == node->xattrs.end()) return ENODATA;
  auto cost = name.size() + it->second.size();
  budget_.release(cost);
  node->charged -= cost;
  node->xattrs.erase(it);
  node->ctime = wall_now();
  return 0;
}

SidecarSource Tree::sidecar_source(const NodePtr& sidecar) {
  std::lock_guard lock(mu_);
  SidecarSource source;
  source.analyzer = sidecar->analyzer;
  auto image = sidecar->image.lock();
  if (!image) return source;
  source.image_ino = image->ino;
  source.image_version = sidecar->image_version;
  source.current = sidecar->linked && image->version == sidecar->image_version;
  source.image_linked = image->linked;
  source.content = image->content;
  source.image_open_for_writing = image->writers > 0;
  return source;
}

void Tree::complete_sidecar(const NodePtr& sidecar, std::string_view result, struct stat* out) {
  auto bytes = std::make_shared<const SecureBuffer>(result);
  std::lock_guard lock(mu_);
  if (!sidecar->result) {
    if (sidecar->linked) {
      budget_.force_charge(bytes->size());
      sidecar->charged += bytes->size();
    }
    sidecar->result = std::move(bytes);
  }
  fill_stat_locked(*sidecar, out);
}

bool Tree::is_image_file(const NodePtr& node) {
  std::lock_guard lock(mu_);
  return is_image_locked(*node);
}

std::shared_ptr<const SecureBuffer> Tree::sidecar_result(const NodePtr& sidecar) const {
  std::lock_guard lock(mu_);
  return sidecar->result;
}

bool Tree::sidecar_attr(const NodePtr& sidecar, struct stat* out) const {
  std::lock_guard lock(mu_);
  if (!sidecar->result) return false;
  fill_stat_locked(*sidecar, out);
  return true;
}

std::vector<NodePtr> Tree::sidecar_parts(const NodePtr& combined, const std::vector<std::string>& analyzers,
                                         Errno* err) {
  std::lock_guard lock(mu_);
  auto image = combined->image.lock();
  std::vector<NodePtr> parts;
  if (!image || !image->linked) {
    *err = ENOENT;
  } else if (!combined->linked || image->version != combined->image_version) {
    *err = ESTALE;
  } else {
    for (const auto& analyzer : analyzers) parts.push_back(sidecar_for_locked(*image, analyzer));
    *err = 0;
  }
  return parts;
}

NodePtr Tree::sidecar_of(const NodePtr& image, const std::string& analyzer) {
  std::lock_guard lock(mu_);
  if (!image || image->kind != NodeKind::kFile || !image->linked || !is_image_locked(*image)) return nullptr;
  return sidecar_for_locked(*image, analyzer);
}

std::optional<TimePoint> Tree::next_expiry() const {
  std::lock_guard lock(mu_);
  if (expiry_.empty()) return std::nullopt;
  return expiry_.begin()->first;
}

std::vector<ExpiredEntry> Tree::expired(TimePoint now) const {
  std::lock_guard lock(mu_);
  std::vector<ExpiredEntry> out;
  for (const auto& [when, ino] : expiry_) {
    if (when > now) break;
    auto node = find_locked(ino);
    if (!node || !node->linked) continue;
    ExpiredEntry entry;
    entry.ino = ino;
    entry.changed = node->changed;
    entry.is_dir = node->kind == NodeKind::kDirectory;
    entry.path = path_locked(*node);
    if (node->kind == NodeKind::kFile) entry.bytes = node->content->size();
    for (const auto& [analyzer, sidecar] : node->sidecars) {
      if (sidecar->nlookup > 0) entry.sidecar_names.push_back(sidecar_name(node->name, analyzer));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Errno Tree::evict(const ExpiryTarget& target) {
  Graveyard dead;
  std::lock_guard lock(mu_);
  auto node = find_locked(target.ino);
  if (!node || !node->linked || !node->parent) return ENOENT;
  if (!is_target(*node, &target)) return ESTALE;
  if (node->kind == NodeKind::kDirectory && !node->children.empty()) return ENOTEMPTY;
  Node& dir = *node->parent;
  notifications_.push_back({Notification::Type::kInvalEntry, dir.ino, node->name, 0});
  notifications_.push_back({Notification::Type::kInvalInode, 0, {}, node->ino});
  unlink_child_locked(dir, node->name, dead);
  evictions_++;
  return 0;
}

void Tree::count_eviction() {
  std::lock_guard lock(mu_);
  evictions_++;
}

std::size_t Tree::inode_count() const {
  std::lock_guard lock(mu_);
  return inodes_.size();
}

std::vector<Notification> Tree::take_notifications() {
  std::lock_guard lock(mu_);
  return std::exchange(notifications_, {});
}

std::vector<std::pair<Ino, std::uint64_t>> Tree::take_dropped_versions() {
  std::lock_guard lock(mu_);
  return std::exchange(dropped_versions_, {});
}

TreeStats Tree::stats() const {
  std::lock_guard lock(mu_);
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
