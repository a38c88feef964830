#pragma once
// The FUSE side of the sidecar workflow: waiters that turn a
// sidecars::Outcome into the one reply a parked request gets, and the one
// open path that files and sidecars share.
// Thread-safety: the waiters run on whichever thread delivers (a FUSE loop
// thread or an analysis worker), with no lock held.

#include "cache/node.h"
#include "fs/filesystem.h"
#include "sidecars/waiter.h"

#include <fuse_lowlevel.h>

#include <string>

namespace visionfs::fs {

// Replies to a GETATTR with the sidecar's exact attributes, or its errno.
sidecars::Waiter attr_waiter(fuse_req_t req);
// Replies to an OPEN (with a copy of its file info: libfuse's lives on the
// stack of the handler that parked it) by opening the computed sidecar.
sidecars::Waiter open_waiter(fuse_req_t req, const fuse_file_info& fi);

// Replies to a GETXATTR of user.xdg.tags or user.xdg.comment on an image
// with the value derived from its NAME.json (`outcome.sidecar`), sized as
// the request asked (`size`); ENODATA when there is nothing to say.
sidecars::Waiter desktop_xattr_waiter(fuse_req_t req, std::string name, size_t size);

// Opens `node` with fi->flags, registers the handle and replies. Returns
// kReplied, or an errno that nothing has answered yet.
int reply_open(fuse_req_t req, Filesystem& fs, const cache::NodePtr& node, fuse_file_info* fi);

}  // namespace visionfs::fs
