#pragma once
// The control directory's three inodes, classified once here so that each
// operation asks one question (is_control) instead of repeating checks.

#include "cache/tree.h"
#include "fs/filesystem.h"

#include <memory>
#include <string>
#include <sys/stat.h>

namespace visionfs::fs {

inline bool is_control(cache::Ino ino) { return ino == kControlDirIno || ino == kStatsIno || ino == kConfigIno; }

// The control inode `name` names inside `parent`, or 0.
cache::Ino control_child(cache::Ino parent, const std::string& name);

// A fresh rendering of a control file (stats.json or config.json).
std::shared_ptr<const std::string> render_control(const Filesystem& fs, cache::Ino ino);

// stat of a control inode; files are sized by a fresh rendering.
struct stat control_stat(const Filesystem& fs, cache::Ino ino);

}  // namespace visionfs::fs
