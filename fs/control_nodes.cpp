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

std::shared_ptr<const std::string> render_control(const Filesystem& fs, cache::Ino ino) {
  return std::make_shared<const std::string>(ino == kStatsIno ? render_stats(fs) : render_config(fs));
}

struct stat control_stat(const Filesystem& fs, cache::Ino ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_uid = getuid();
  st.st_gid = getgid();
  clock_gettime(CLOCK_REALTIME, &st.st_mtim);
  st.st_atim = st.st_ctim = st.st_mtim;
  st.st_blksize = 4096;
  if (ino == kControlDirIno) {
    st.st_mode = S_IFDIR | 0555;
    st.st_nlink = 2;
    st.st_size = 4096;
  } else {
    st.st_mode = S_IFREG | 0444;
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(render_control(fs, ino)->size());
  }
  st.st_blocks = (st.st_size + 511) / 512;
  return st;
}

}  // namespace visionfs::fs
