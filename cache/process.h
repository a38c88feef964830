// Which process a request comes from. The kernel names the requesting
// thread (FUSE's in.h.pid is the task's pid, not its thread group), so a
// copier with worker threads (GIO, Dolphin's KIO workers) would look like
// many requesters; its thread group is the process a user means.
#pragma once

#include <sys/types.h>

namespace visionfs::cache {

// The thread group (process id) of thread `thread`, from /proc; `thread`
// itself if /proc does not say (the thread has exited, or no /proc), and 0
// for 0.
pid_t thread_group_of(pid_t thread);

}  // namespace visionfs::cache
