#pragma once
// Evictor: removes files (and empty directories) whose TTL has run out.
//
// Why through the mount: directory watchers (inotifywait -m MNT, Nautilus,
// Dolphin) see IN_DELETE only for an unlink that goes through the VFS.
// fuse_lowlevel_notify_delete gives only IN_DELETE_SELF to a watch on the
// file, and notify_inval_entry gives nothing (fuse-lessons.md section 2).
// So this thread unlinks the expired path on our own mount; the request comes
// back to the unlink handler, which recognises it by thread id
// (from_evictor) and also lets it remove sidecar names. If that path fails
// (the directory was made read-only, the mount is unreachable), the entry is
// removed directly and the kernel is told with notify_inval_*.
//
// This thread is never a FUSE loop thread, and holds no lock while it makes
// those system calls, so the handlers it triggers cannot deadlock with it.
// Thread-safety: tid() from any thread.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>

namespace visionfs::fs {

class Filesystem;

class Evictor {
 public:
  Evictor(Filesystem& fs, std::string mountpoint);
  ~Evictor();
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  pid_t tid() const { return tid_.load(); }

 private:
  void loop();
  void evict_due();

  Filesystem& fs_;
  const std::string mountpoint_;
  std::atomic<pid_t> tid_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace visionfs::fs
