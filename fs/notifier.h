#pragma once
// Notifier: sends the kernel cache notifications that the Tree queues
// (invalidate a sidecar's name, drop an evicted inode's pages).
//
// Why a thread: a notification issued from inside the handler of a related
// operation, or while holding a lock such a handler needs, deadlocks the
// kernel against us (libfuse example/notify_inval_entry.c; rclone #4977).
// This thread holds no lock of ours while it calls into the kernel.
// Thread-safety: post() from any thread.

#include "cache/tree.h"

#include <fuse_lowlevel.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace visionfs::fs {

class Notifier {
 public:
  explicit Notifier(fuse_session* session);
  ~Notifier();  // sends what is queued, then stops
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void post(std::vector<cache::Notification> notifications);

 private:
  void loop();

  fuse_session* const session_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<cache::Notification> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace visionfs::fs
