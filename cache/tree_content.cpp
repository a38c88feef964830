// Tree: file contents: open, read, write, truncate (setattr), release.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

namespace visionfs::cache {

using internal::wall_now;
using internal::writable;

void Tree::content_changed_locked(Node& file, Graveyard& dead) {
  file.version++;
  file.mtime = file.ctime = wall_now();
  file.changed = clock_.now();
  if (file.parent) {
    file.parent->activity = file.changed;  // a copy into it is still going
    file.parent->hidden_names_changed = file.mtime;  // it may have become an image
  }
  file.removed_sidecars.clear();  // new bytes, new sidecars
  reindex_locked(file);
  if (!file.sidecars.empty()) {
    if (file.parent) queue_sidecar_invalidations_locked(*file.parent, file.name, file);
    detach_sidecars_locked(file, dead);
  }
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

Errno Tree::setattr(Ino ino, const SetAttr& c, const Caller& caller, struct stat* out) {
  Transaction tx(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  // Computed: nothing of it is the user's to change, its times included
  // (touch would otherwise make it look rewritten).
  if (node->kind == NodeKind::kSidecar || node->kind == NodeKind::kNameList) return c.size ? EACCES : EPERM;
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
    content_changed_locked(*node, tx.dead);
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

Errno Tree::open(const NodePtr& node, int flags, OpenResult* out) {
  Transaction tx(mu_);
  return open_locked(*node, flags, out, tx.dead);
}

Errno Tree::open_locked(Node& node_ref, int flags, OpenResult* out, Graveyard& dead) {
  Node* node = &node_ref;
  if (node->kind == NodeKind::kDirectory) {
    if (writable(flags)) return EISDIR;
    return 0;
  }
  if (node->kind == NodeKind::kSidecar) {
    if (opens_for_change(flags)) return EACCES;
    out->keep_cache = true;  // immutable for its inode
    return 0;
  }
  if (node->kind == NodeKind::kNameList) return opens_for_change(flags) ? EACCES : 0;
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
  MutexLock lock(mu_);
  if (node->kind == NodeKind::kFile && writable(flags) && node->writers > 0) {
    node->writers--;
    // A file that is an image when its last writer closes it: its sidecar
    // names arrive (once per file; a rename announces its new names).
    if (node->writers == 0 && node->linked && node->parent && !node->names_announced && is_image_locked(*node)) {
      node->names_announced = true;
      queue_arrived_locked(*node->parent, node->name);
    }
  }
  return {node->writers == 0, node->version};
}

Errno Tree::read(const NodePtr& node, off_t offset, std::size_t size, ReadResult* out) {
  MutexLock lock(mu_);
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
  Transaction tx(mu_);
  if (node->kind != NodeKind::kFile) return node->kind == NodeKind::kDirectory ? EISDIR : EACCES;
  if (offset < 0) return EINVAL;
  auto end = static_cast<std::size_t>(offset) + bytes.size();
  if (end > node->content->size()) {
    if (Errno err = resize_locked(*node, end)) return err;
  } else if (node->content.use_count() > 1) {
    if (Errno err = resize_locked(*node, node->content->size())) return err;  // copy on write
  }
  node->content->write(static_cast<std::size_t>(offset), bytes);
  content_changed_locked(*node, tx.dead);
  return 0;
}

}  // namespace visionfs::cache
