#pragma once
// Internal to the adapter: each fs/ops_*.cpp fills in its group of
// operations; fs/operations.cpp assembles the table.

#include "cache/tree.h"
#include "fs/filesystem.h"

#include <fuse_lowlevel.h>

namespace visionfs::fs {

void add_entry_operations(fuse_lowlevel_ops& ops);
void add_directory_operations(fuse_lowlevel_ops& ops);
void add_file_operations(fuse_lowlevel_ops& ops);
void add_xattr_operations(fuse_lowlevel_ops& ops);

// Replies with an entry and counts the kernel's new reference. Returns
// kReplied. `attr_known` false: the attributes are provisional (a sidecar
// being computed) and the kernel must ask again before using them.
int reply_entry(fuse_req_t req, Filesystem& fs, const cache::Entry& entry, bool attr_known = true);

}  // namespace visionfs::fs
