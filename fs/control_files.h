#pragma once
// The read-only control directory MOUNTPOINT/.visionfs/: stats.json (what
// the daemon holds and has computed) and config.json (the effective options
// and which analyzers can run, with the reason for any that cannot).
// Both are rendered fresh for every open; the handle keeps its rendering so
// one reader sees one consistent document. Thread-safe.

#include <string>

namespace visionfs::fs {

class Filesystem;

std::string render_stats(const Filesystem& fs);
std::string render_config(const Filesystem& fs);

}  // namespace visionfs::fs
