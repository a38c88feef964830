// Name and attribute operations: lookup, forget, getattr, setattr, statfs.

#include "fs/control_nodes.h"
#include "fs/filesystem.h"
#include "fs/ops.h"
#include "fs/reply.h"
#include "fs/sidecar_replies.h"
#include "sidecars/scheduler.h"

namespace visionfs::fs {

int reply_entry(fuse_req_t req, Filesystem& fs, const cache::Entry& entry, bool attr_known) {
  fuse_entry_param e{};
  e.ino = entry.node->ino;
  e.attr = entry.attr;
  bool sidecar = entry.node->kind == cache::NodeKind::kSidecar;
  // An attribute timeout of 0 means "always stale": the kernel asks GETATTR
  // before any stat(2) and before reading, so the provisional size of a
  // sidecar still being computed is never seen by anyone.
  e.attr_timeout = !attr_known ? 0 : sidecar ? kSidecarTimeout : kAttrTimeout;
  e.entry_timeout = sidecar ? kSidecarTimeout : kEntryTimeout;
  if (entry.provisional) e.entry_timeout = e.attr_timeout = 0;
  // A .hidden changes with the directory's images, not through writes:
  // its size and mtime (what KIO compares) are always asked again.
  if (fs.tree().is_hidden_list(entry.node)) e.attr_timeout = 0;
  fs.tree().ref(entry.node);
  // If the reply fails the kernel never got the reference.
  if (fuse_reply_entry(req, &e) != 0) fs.tree().forget(entry.node->ino, 1);
  return kReplied;
}

namespace {

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  answer(req, "lookup", [&] {
    auto& fs = filesystem_of(req);
    if (auto ino = control_child(parent, name)) {
      fuse_entry_param e{};
      e.ino = ino;
      e.attr = control_stat(fs, ino);
      // Rendered fresh each time: the kernel must not cache their size.
      e.attr_timeout = e.entry_timeout = 0;
      return fuse_reply_entry(req, &e), kReplied;
    }
    if (parent == kControlDirIno) return ENOENT;
    cache::Entry entry;
    if (fs.departed_request(req)) {
      // The evictor's way to a departed sidecar name, to unlink it. Timeouts
      // of 0: if the unlink is refused (the name leads somewhere again), the
      // kernel must not keep this stand-in under that name.
      if (int err = fs.tree().lookup_departed(parent, name, &entry)) return err;
      fuse_entry_param e{};
      e.ino = entry.node->ino;
      e.attr = entry.attr;
      fs.tree().ref(entry.node);
      if (fuse_reply_entry(req, &e) != 0) fs.tree().forget(entry.node->ino, 1);
      return kReplied;
    }
    // The evictor announcing a new sidecar name: "not there yet", so that
    // the kernel sends the MKNOD that gives watchers IN_CREATE.
    if (fs.arrival_request(req) && fs.tree().is_arrived(parent, name)) return ENOENT;
    if (int err = fs.tree().lookup(parent, name, &entry, fuse_req_ctx(req)->pid)) return err;
    if (entry.node->kind == cache::NodeKind::kSidecar) {
      if (!fs.tree().sidecar_result(entry.node)) {
        // Never waits: libfuse 3.14 cannot enable parallel directory
        // operations, so the kernel holds the directory's lock across a
        // LOOKUP, and a waiting lookup would stall every other name (and
        // `ls`) in the directory. The size is provisional (0) with an
        // attribute timeout of 0, so the kernel asks again. With
        // sizes=exact the lookup starts the analysis, and GETATTR and OPEN
        // wait for it; by default (lazy) nothing but an OPEN computes.
        if (fs.options().exact_sizes) fs.scheduler()->request(entry.node, sidecars::Waiter{});
        return reply_entry(req, fs, entry, false);
      }
      fs.scheduler()->count_hit(entry.node->analyzer);
    }
    return reply_entry(req, fs, entry, true);
  });
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  filesystem_of(req).tree().forget(ino, nlookup);
  fuse_reply_none(req);
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  auto& fs = filesystem_of(req);
  for (size_t i = 0; i < count; ++i) fs.tree().forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  answer(req, "getattr", [&] {
    auto& fs = filesystem_of(req);
    if (is_control(ino)) {
      auto st = control_stat(fs, ino);
      return fuse_reply_attr(req, &st, 0), kReplied;
    }
    auto node = fs.tree().find(ino);
    if (!node) return ENOENT;
    if (node->kind == cache::NodeKind::kSidecar && !fs.tree().sidecar_result(node)) {
      if (fs.options().exact_sizes) {
        fs.scheduler()->request(node, attr_waiter(req));  // answered with the exact size
        return kReplied;
      }
      // sizes=lazy: a stat computes nothing (ls -l, file browsers, find and
      // du stat every name they list). Size 0 with an attribute timeout of
      // 0, as /proc files do: every later stat asks again, and a read past
      // the cached size makes the kernel fetch the size first
      // (auto_inval_data), by when the OPEN has computed it
      // (fuse-lessons.md 1b).
      struct stat st {};
      if (int err = fs.tree().getattr(ino, &st)) return err;
      return fuse_reply_attr(req, &st, 0), kReplied;
    }
    struct stat st {};
    if (int err = fs.tree().getattr(ino, &st)) return err;
    bool sidecar = node->kind == cache::NodeKind::kSidecar;
    const double timeout = fs.tree().is_hidden_list(node) ? 0 : sidecar ? kSidecarTimeout : kAttrTimeout;
    return fuse_reply_attr(req, &st, timeout), kReplied;
  });
}

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info*) {
  answer(req, "setattr", [&] {
    auto& fs = filesystem_of(req);
    if (is_control(ino)) return EACCES;
    cache::SetAttr c;
    if (to_set & FUSE_SET_ATTR_MODE) c.mode = attr->st_mode;
    if (to_set & FUSE_SET_ATTR_UID) c.uid = attr->st_uid;
    if (to_set & FUSE_SET_ATTR_GID) c.gid = attr->st_gid;
    if (to_set & FUSE_SET_ATTR_SIZE) c.size = attr->st_size;
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) c.atime = timespec{0, UTIME_NOW};
    else if (to_set & FUSE_SET_ATTR_ATIME) c.atime = attr->st_atim;
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) c.mtime = timespec{0, UTIME_NOW};
    else if (to_set & FUSE_SET_ATTR_MTIME) c.mtime = attr->st_mtim;
    const fuse_ctx* ctx = fuse_req_ctx(req);
    struct stat st {};
    int err = fs.tree().setattr(ino, c, cache::Caller{ctx->uid, ctx->gid}, &st);
    if (err) return err;
    fuse_reply_attr(req, &st, kAttrTimeout);
    fs.flush_notifications();
    return kReplied;
  });
}

void op_statfs(fuse_req_t req, fuse_ino_t) {
  answer(req, "statfs", [&] {
    auto& fs = filesystem_of(req);
    // df and file browsers show the memory budget as the size of the disk.
    constexpr unsigned long kBlock = 4096;
    struct statvfs st {};
    st.f_bsize = kBlock;
    st.f_frsize = kBlock;
    st.f_blocks = fs.budget().limit() / kBlock;
    st.f_bfree = st.f_bavail = fs.budget().available() / kBlock;
    // df and file browsers call statfs often: an O(1) count, not a walk.
    st.f_files = 1u << 24;
    st.f_ffree = st.f_favail = st.f_files - std::min<std::uint64_t>(st.f_files, fs.tree().inode_count());
    st.f_namemax = 255;
    return fuse_reply_statfs(req, &st), kReplied;
  });
}

}  // namespace

void add_entry_operations(fuse_lowlevel_ops& ops) {
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.getattr = op_getattr;
  ops.setattr = op_setattr;
  ops.statfs = op_statfs;
}

}  // namespace visionfs::fs
