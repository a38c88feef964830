// Directory operations: mkdir, rmdir, unlink, rename, opendir, readdir,
// readdirplus, releasedir; and the node types visionfs does not store.

#include "fs/control_nodes.h"
#include "fs/filesystem.h"
#include "fs/ops.h"
#include "fs/reply.h"

#include <memory>
#include <vector>

namespace visionfs::fs {
namespace {

cache::Caller caller_of(fuse_req_t req) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  return {ctx->uid, ctx->gid, ctx->pid};
}

bool reserved(fuse_ino_t parent, const char* name) {
  return control_child(parent, name) != 0 || parent == kControlDirIno;
}

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  answer(req, "mkdir", [&] {
    auto& fs = filesystem_of(req);
    if (reserved(parent, name)) return parent == kControlDirIno ? EACCES : EEXIST;
    const fuse_ctx* ctx = fuse_req_ctx(req);
    cache::Entry entry;
    if (int err = fs.tree().mkdir(parent, name, mode & ~ctx->umask, caller_of(req), &entry)) return err;
    return reply_entry(req, fs, entry);
  });
}

void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t) {
  answer(req, "mknod", [&] {
    // Only regular files live here; devices, FIFOs and sockets would be
    // meaningless in a memory-only image store.
    if (!S_ISREG(mode)) return EPERM;
    auto& fs = filesystem_of(req);
    if (fs.arrival_request(req)) {
      // The evictor announcing an arrived sidecar name: answered with the
      // existing sidecar, so the kernel links it and tells watchers.
      cache::Entry entry;
      if (int err = fs.tree().mknod_arrived(parent, name, &entry)) return err;
      return reply_entry(req, fs, entry, false);
    }
    if (reserved(parent, name)) return parent == kControlDirIno ? EACCES : EEXIST;
    const fuse_ctx* ctx = fuse_req_ctx(req);
    cache::Entry entry;
    cache::OpenResult opened;
    if (int err = fs.tree().create(parent, name, mode & ~ctx->umask, O_CREAT | O_EXCL | O_RDONLY, caller_of(req),
                                 &entry, &opened)) {
      return err;
    }
    fs.tree().release(entry.node, O_RDONLY);
    return reply_entry(req, fs, entry);
  });
}

void op_symlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  fuse_reply_err(req, EPERM);  // as on a filesystem without symbolic links
}

void op_link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
  fuse_reply_err(req, EPERM);  // link(2): "the filesystem does not support hard links"
}

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  answer(req, "unlink", [&] {
    auto& fs = filesystem_of(req);
    if (reserved(parent, name)) return EPERM;
    if (fs.departed_request(req)) return fs.tree().unlink_departed(parent, name);
    auto evicting = fs.eviction_of(req);
    int err = fs.tree().unlink(parent, name, evicting ? &*evicting : nullptr);
    fuse_reply_err(req, err);
    fs.flush_notifications();
    if (err == 0 && !evicting) fs.wake_evictor();  // its sidecar names departed
    return kReplied;
  });
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  answer(req, "rmdir", [&] {
    auto& fs = filesystem_of(req);
    if (reserved(parent, name)) return EPERM;
    auto evicting = fs.eviction_of(req);
    int err = fs.tree().rmdir(parent, name, evicting ? &*evicting : nullptr);
    fuse_reply_err(req, err);
    fs.flush_notifications();
    return kReplied;
  });
}

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent, const char* new_name,
               unsigned int flags) {
  answer(req, "rename", [&] {
    auto& fs = filesystem_of(req);
    if (reserved(parent, name) || reserved(new_parent, new_name)) return EPERM;
    int err = fs.tree().rename(parent, name, new_parent, new_name, flags);
    fuse_reply_err(req, err);
    fs.flush_notifications();
    if (err == 0) fs.wake_evictor();  // the old sidecar names departed, the new ones arrived
    return kReplied;
  });
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  answer(req, "opendir", [&] {
    auto& fs = filesystem_of(req);
    auto handle = std::make_shared<DirHandle>();
    cache::Ino parent_ino = 0;
    if (ino == kControlDirIno) {
      parent_ino = cache::kRootIno;
      handle->entries = {{"stats.json", kStatsIno, S_IFREG, false}, {"config.json", kConfigIno, S_IFREG, false}};
    } else if (is_control(ino)) {
      return ENOTDIR;
    } else {
      if (int err = fs.tree().readdir(ino, &handle->entries, &parent_ino, fuse_req_ctx(req)->pid)) return err;
      // Hidden (a dot name), listed by ls -a only.
      if (ino == cache::kRootIno) handle->entries.insert(handle->entries.begin(), {kControlDirName, kControlDirIno, S_IFDIR, false});
    }
    handle->entries.insert(handle->entries.begin(), {{".", ino, S_IFDIR, false}, {"..", parent_ino, S_IFDIR, false}});
    fi->fh = fs.dirs().add(std::move(handle));
    fi->cache_readdir = 0;
    if (fuse_reply_open(req, fi) != 0) fs.dirs().remove(fi->fh);
    return kReplied;
  });
}

void reply_listing(fuse_req_t req, fuse_ino_t dir, size_t size, off_t offset, fuse_file_info* fi, bool plus) {
  answer(req, plus ? "readdirplus" : "readdir", [&] {
    auto& fs = filesystem_of(req);
    auto handle = fs.dirs().get(fi->fh);
    if (!handle) return EBADF;
    std::vector<char> buffer(size);
    size_t used = 0;
    for (size_t i = static_cast<size_t>(offset); i < handle->entries.size(); ++i) {
      const auto& d = handle->entries[i];
      off_t next = static_cast<off_t>(i + 1);
      size_t added = 0;
      if (!plus) {
        struct stat st {};
        st.st_ino = d.ino;
        st.st_mode = d.type;
        added = fuse_add_direntry(req, buffer.data() + used, size - used, d.name.c_str(), &st, next);
        if (added > size - used) break;
      } else {
        // readdirplus hands the kernel a reference with each attribute.
        // Sidecars not computed yet (and "." "..", control entries) go with
        // ino 0: the kernel then caches nothing and a later stat asks us, so
        // a listing never starts an analysis.
        // The listing was taken at opendir: an entry gets attributes only if
        // its name still leads to the same node now, or a removed file, or
        // an old version's sidecar, would come back to life in the kernel.
        fuse_entry_param e{};
        e.attr.st_ino = d.ino;
        e.attr.st_mode = d.type;
        cache::Entry current;
        bool with_attr = d.attr_known && d.name != "." && d.name != ".." && !is_control(d.ino) &&
                         fs.tree().current_entry(dir, d.name, d.ino, &current);
        const cache::NodePtr& node = current.node;
        if (with_attr) {
          e.attr = current.attr;
          bool sidecar = node->kind == cache::NodeKind::kSidecar;
          e.ino = d.ino;
          e.attr_timeout = e.entry_timeout = sidecar ? kSidecarTimeout : kAttrTimeout;
        }
        added = fuse_add_direntry_plus(req, buffer.data() + used, size - used, d.name.c_str(), &e, next);
        if (added > size - used) break;
        if (with_attr) fs.tree().ref(node);
      }
      used += added;
    }
    return fuse_reply_buf(req, buffer.data(), used), kReplied;
  });
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi) {
  reply_listing(req, ino, size, offset, fi, false);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi) {
  reply_listing(req, ino, size, offset, fi, true);
}

void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  auto handle = filesystem_of(req).dirs().remove(fi->fh);
  fuse_reply_err(req, 0);
}

void op_fsyncdir(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) { fuse_reply_err(req, 0); }

}  // namespace

void add_directory_operations(fuse_lowlevel_ops& ops) {
  ops.mkdir = op_mkdir;
  ops.mknod = op_mknod;
  ops.symlink = op_symlink;
  ops.link = op_link;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.releasedir = op_releasedir;
  ops.fsyncdir = op_fsyncdir;
}

}  // namespace visionfs::fs
