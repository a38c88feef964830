#include "fs/control_nodes.h"

#include "fs/control_files.h"

#include <unistd.h>

namespace visionfs::fs {

cache::Ino control_child(cache::Ino parent, const std::string& name) {
  if (parent == cache::kRootIno && name == kControlDirName) return kControlDirIno;
  if (parent == kControlDirIno && name == "stats.json") return kStatsIno;
  if (parent == kControlDirIno && name == "config.json") return kConfigIno;
  if (parent == kControlDirIno && name == ".") return kControlDirIno;
  return 0;
}

namespace {
int snapshot_slot(cache::Ino ino) { return ino == kStatsIno ? 0 : 1; }
}  // namespace

std::shared_ptr<const std::string> render_control(const Filesystem& fs, cache::Ino ino) {
  auto text = std::make_shared<const std::string>(ino == kStatsIno ? render_stats(fs) : render_config(fs));
  return fs.control_snapshots().record(snapshot_slot(ino), std::move(text))->text;
}

struct stat control_stat(const Filesystem& fs, cache::Ino ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_uid = getuid();
  st.st_gid = getgid();
  clock_gettime(CLOCK_REALTIME, &st.st_mtim);
  st.st_blksize = 4096;
  if (ino == kControlDirIno) {
    // Its entries never change: a fixed time (tar compares a directory's
    // ctime before and after archiving it).
    static const timespec kFirstSeen = st.st_mtim;
    st.st_mtim = kFirstSeen;
    st.st_mode = S_IFDIR | 0555;
    st.st_nlink = 2;
    st.st_size = 4096;
  } else {
    st.st_mode = S_IFREG | 0444;
    st.st_nlink = 1;
    // The rendering an open just made, if any (control_snapshots.h: tar).
    auto rendering = fs.control_snapshots().recent(snapshot_slot(ino));
    if (!rendering) {
      render_control(fs, ino);
      rendering = fs.control_snapshots().recent(snapshot_slot(ino));
    }
    st.st_size = static_cast<off_t>(rendering->text->size());
    st.st_mtim = rendering->made;
  }
  st.st_atim = st.st_ctim = st.st_mtim;
  st.st_blocks = (st.st_size + 511) / 512;
  return st;
}

}  // namespace visionfs::fs
