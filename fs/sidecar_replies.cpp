#include "fs/sidecar_replies.h"

#include "fs/reply.h"

namespace visionfs::fs {

sidecars::Waiter attr_waiter(fuse_req_t req) {
  return sidecars::Waiter([req](const sidecars::Outcome& outcome) {
    answer(req, "getattr", [&] {
      if (outcome.error) return outcome.error;
      return fuse_reply_attr(req, &outcome.attr, kSidecarTimeout), kReplied;
    });
  });
}

sidecars::Waiter open_waiter(fuse_req_t req, const fuse_file_info& fi) {
  return sidecars::Waiter([req, fi](const sidecars::Outcome& outcome) {
    answer(req, "open", [&] {
      if (outcome.error) return outcome.error;
      fuse_file_info info = fi;
      return reply_open(req, filesystem_of(req), outcome.sidecar, &info);
    });
  });
}

int reply_open(fuse_req_t req, Filesystem& fs, const cache::NodePtr& node, fuse_file_info* fi) {
  cache::OpenResult opened;
  if (int err = fs.tree().open(node, fi->flags, &opened)) return err;
  fi->fh = fs.files().add(std::make_shared<FileHandle>(FileHandle{node, fi->flags, nullptr, opened.version}));
  // A sidecar never changes for its inode, so its pages stay cached.
  fi->keep_cache = opened.keep_cache;
  if (fuse_reply_open(req, fi) != 0) {
    // The kernel never got the handle (the request was interrupted).
    fs.files().remove(fi->fh);
    fs.tree().release(node, fi->flags);
  }
  return kReplied;
}

}  // namespace visionfs::fs
