#include "fs/privacy.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace visionfs::fs {

bool harden_process() {
  bool ok = true;
  rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) {
    std::fprintf(stderr, "visionfs: cannot disable core dumps: %s\n", std::strerror(errno));
    ok = false;
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    std::fprintf(stderr, "visionfs: cannot make the process non-dumpable: %s\n", std::strerror(errno));
    ok = false;
  }
  return ok;
}

}  // namespace visionfs::fs
