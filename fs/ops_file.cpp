// File operations: create, open, read, write, flush, fsync, release.

#include "fs/control_nodes.h"
#include "fs/filesystem.h"
#include "fs/ops.h"
#include "fs/reply.h"
#include "fs/sidecar_replies.h"
#include "sidecars/scheduler.h"

#include <string.h>  // explicit_bzero
#include <fcntl.h>

#include <memory>

namespace visionfs::fs {
namespace {

bool writable(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  answer(req, "create", [&] {
    auto& fs = filesystem_of(req);
    if (control_child(parent, name) || parent == kControlDirIno) return EACCES;
    const fuse_ctx* ctx = fuse_req_ctx(req);
    cache::Entry entry;
    cache::OpenResult opened;
    if (int err = fs.tree().create(parent, name, mode & ~ctx->umask, fi->flags, cache::Caller{ctx->uid, ctx->gid, ctx->pid},
                                 &entry, &opened)) {
      return err;
    }
    fi->fh = fs.files().add(std::make_shared<FileHandle>(FileHandle{entry.node, fi->flags, nullptr, opened.version}));
    fi->keep_cache = opened.keep_cache;
    fuse_entry_param e{};
    e.ino = entry.node->ino;
    e.attr = entry.attr;
    e.attr_timeout = kAttrTimeout;
    e.entry_timeout = kEntryTimeout;
    fs.tree().ref(entry.node);
    if (fuse_reply_create(req, &e, fi) != 0) {
      fs.files().remove(fi->fh);
      fs.tree().forget(entry.node->ino, 1);
      fs.tree().release(entry.node, fi->flags);
    }
    fs.flush_notifications();
    return kReplied;
  });
}

// A computed name opened to be written: with O_TRUNC (cp, tar, an editor
// saving over it) the user's empty file takes its name and shadows it, and
// ESTALE makes the kernel look the name up again (once, with LOOKUP_REVAL)
// and open that file instead. Otherwise it is read-only: EACCES.
int open_computed_for_writing(fuse_req_t req, Filesystem& fs, const cache::NodePtr& node, int flags) {
  if (!writable(flags) || !(flags & O_TRUNC)) return EACCES;
  const fuse_ctx* ctx = fuse_req_ctx(req);
  if (int err = fs.tree().replace_computed(node, 0666 & ~ctx->umask, cache::Caller{ctx->uid, ctx->gid})) return err;
  fs.flush_notifications();
  return ESTALE;
}

// A directory's .hidden, read: rendered at open (the computed names, after
// the user's own lines if they wrote one) and read to EOF, since the names
// change between a stat and a read.
int open_hidden_list(fuse_req_t req, Filesystem& fs, const cache::NodePtr& node, fuse_file_info* fi) {
  auto text = std::make_shared<std::string>();
  if (int err = fs.tree().hidden_list_text(node, text.get())) return err;
  fi->fh = fs.files().add(std::make_shared<FileHandle>(FileHandle{node, fi->flags, std::move(text), 0}));
  fi->direct_io = 1;
  if (fuse_reply_open(req, fi) != 0) fs.files().remove(fi->fh);
  return kReplied;
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  answer(req, "open", [&] {
    auto& fs = filesystem_of(req);
    if (is_control(ino)) {
      if (ino == kControlDirIno) return EISDIR;
      if (cache::opens_for_change(fi->flags)) return EACCES;
      fi->fh = fs.files().add(std::make_shared<FileHandle>(FileHandle{nullptr, fi->flags, render_control(fs, ino), 0}));
      // Each open is a new rendering: read to EOF, whatever size stat said.
      fi->direct_io = 1;
      if (fuse_reply_open(req, fi) != 0) fs.files().remove(fi->fh);
      return kReplied;
    }
    auto node = fs.tree().find(ino);
    if (!node) return ENOENT;
    const bool computed = node->kind == cache::NodeKind::kSidecar || node->kind == cache::NodeKind::kNameList;
    if (computed && cache::opens_for_change(fi->flags)) return open_computed_for_writing(req, fs, node, fi->flags);
    if (!writable(fi->flags) && fs.tree().is_hidden_list(node)) return open_hidden_list(req, fs, node, fi);
    if (node->kind == cache::NodeKind::kSidecar) {
      if (!fs.tree().sidecar_result(node)) {
        // Answered by the scheduler once computed (or with its errno).
        fs.scheduler()->request(node, open_waiter(req, *fi));
        return kReplied;
      }
      fs.scheduler()->count_hit(node->analyzer);
    }
    int result = reply_open(req, fs, node, fi);
    fs.flush_notifications();  // an O_TRUNC open may have made sidecar names stale
    return result;
  });
}

void op_read(fuse_req_t req, fuse_ino_t, size_t size, off_t offset, fuse_file_info* fi) {
  answer(req, "read", [&] {
    // A shared reference: a concurrent RELEASE cannot free it under the reply.
    auto handle = filesystem_of(req).files().get(fi->fh);
    if (!handle) return EBADF;
    if (handle->control_text) {
      const auto& text = *handle->control_text;
      if (offset < 0) return EINVAL;
      size_t start = std::min(text.size(), static_cast<size_t>(offset));
      return fuse_reply_buf(req, text.data() + start, std::min(size, text.size() - start)), kReplied;
    }
    cache::ReadResult result;
    if (int err = filesystem_of(req).tree().read(handle->node, offset, size, &result)) return err;
    // `result.snapshot` keeps the bytes alive and unchanged through the
    // reply; no lock is held while the kernel copies them.
    return fuse_reply_buf(req, reinterpret_cast<const char*>(result.bytes.data()), result.bytes.size()), kReplied;
  });
}

void op_write(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  // The payload sits in libfuse's receive buffer, which the next request
  // only partly overwrites (an image's bytes were found there after it had
  // expired): wipe it once the tree has its copy, whatever the outcome. The
  // buffer is this loop thread's own, writable, and read by nothing after
  // this handler.
  struct WipePayload {
    const char* data;
    size_t size;
    ~WipePayload() { explicit_bzero(const_cast<char*>(data), size); }
  } wipe{buf, size};
  answer(req, "write", [&] {
    auto& fs = filesystem_of(req);
    auto handle = fs.files().get(fi->fh);
    if (!handle) return EBADF;
    if (handle->control_text) return EACCES;
    auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(buf), size);
    if (int err = fs.tree().write(handle->node, offset, bytes)) return err;
    fuse_reply_write(req, size);
    fs.flush_notifications();
    return kReplied;
  });
}

void op_flush(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, 0); }

void op_fsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) {
  fuse_reply_err(req, 0);  // memory only: there is no stable storage to reach
}

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  auto& fs = filesystem_of(req);
  auto handle = fs.files().remove(fi->fh);
  fuse_reply_err(req, 0);
  if (!handle || !handle->node || handle->node->kind != cache::NodeKind::kFile) return;
  auto released = fs.tree().release(handle->node, handle->flags);
  if (writable(handle->flags) && released.last_writer && fs.scheduler() && fs.tree().is_image_file(handle->node)) {
    // After the reply: parked sidecars and precomputation may start now.
    fs.scheduler()->image_closed(handle->node, released.version != handle->version_at_open);
    fs.wake_evictor();  // a new image's sidecar names may have arrived
  }
  // The handle (and perhaps the last reference to an evicted file, whose
  // bytes are wiped now) goes here, after the reply.
}

}  // namespace

void add_file_operations(fuse_lowlevel_ops& ops) {
  ops.create = op_create;
  ops.open = op_open;
  ops.read = op_read;
  ops.write = op_write;
  ops.flush = op_flush;
  ops.fsync = op_fsync;
  ops.release = op_release;
}

}  // namespace visionfs::fs
