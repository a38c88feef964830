#pragma once
// Evictor: removes files (and empty directories) whose TTL has run out.
//
// Why through the mount: directory watchers (inotifywait -m MNT, Nautilus,
// Dolphin) see IN_DELETE only for an unlink that goes through the VFS.
// fuse_lowlevel_notify_delete gives only IN_DELETE_SELF to a watch on the
// file, and notify_inval_entry gives nothing (fuse-lessons.md section 2).
// So this thread unlinks the expired names on our own mount; the requests
// come back to the unlink handler, which recognises them by thread id.
//
// What keeps it from removing anything else:
// - It never follows a path from the mountpoint's name. Each batch opens the
//   mountpoint and proves, with a getxattr that only this daemon answers (a
//   random nonce, to this thread only), that the directory it holds is this
//   very mount; then it unlinks relative to that descriptor. After a lazy
//   unmount (fusermount3 -uz) the name leads to the directory underneath,
//   on disk: the proof fails and nothing there is touched.
// - Each unlink names its target (inode and time of last change); the
//   handler removes the name only if it still is that node, unchanged
//   (cache::Tree::unlink). A file rewritten or replaced after the batch was
//   listed survives.
// If the mount cannot be reached, or a name was renamed meanwhile, the entry
// is removed directly (same target check) and the kernel told with
// notify_inval_*.
//
// The same thread unlinks departed sidecar names (cache::Tree::departed():
// the names that went when the user renamed or removed an image), so that
// watchers see those go too, and makes arrived ones (mknod, answered with
// the existing sidecar) so that they see new names come. Its lookups and unlinks of them are answered
// from the departed set only (departed_request()); woken by wake().
//
// This thread is never a FUSE loop thread and holds no lock while it makes
// those system calls, so the handlers it triggers cannot deadlock with it.
// Thread-safety: target_of() and probe_answer() from any thread.

#include "cache/tree.h"

#include <fuse_lowlevel.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace visionfs::fs {

class Filesystem;

// The extended attribute of the root that answers the evictor's probe.
inline constexpr const char* kEvictorProbeXattr = "user.visionfs.evictor-probe";

class Evictor {
 public:
  Evictor(Filesystem& fs, std::string mountpoint);
  ~Evictor();
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  // The target of the eviction `req` carries out, if `req` is ours.
  std::optional<cache::ExpiryTarget> target_of(fuse_req_t req) const;
  // The nonce, if `req` is this thread's probe; nothing for anyone else.
  std::optional<std::string> probe_answer(fuse_req_t req) const;
  // Whether `req` is this thread's lookup or unlink of a departed name.
  bool departed_request(fuse_req_t req) const;
  // Whether `req` is this thread's lookup or mknod of an arrived name.
  bool arrival_request(fuse_req_t req) const;
  // Departed or arrived names were queued: they are handled after a second
  // of quiet (an unmount while a batch holds the mount fails with EBUSY).
  void wake();

 private:
  struct Tally;
  void loop();
  void evict_due();
  bool watcher_batch_due();
  // Proves the mount, sets `mode` and calls `call` for each name's path
  // relative to it; nothing when the mount cannot be reached.
  void on_own_mount(const std::vector<cache::DepartedName>& names, std::atomic<bool>& mode,
                    const std::function<void(int root, const std::string& path)>& call);
  void unlink_departed();
  void announce_arrived();
  int open_own_mount() const;
  void evict_one(int root, const cache::ExpiredEntry& entry, Tally& tally);
  bool from_this_thread(fuse_req_t req) const;

  Filesystem& fs_;
  const std::string mountpoint_;
  std::array<char, 32> nonce_{};
  std::atomic<pid_t> tid_{0};
  std::atomic<bool> departing_{false};  // unlinking departed names now
  std::atomic<bool> announcing_{false};  // making arrived names now
  mutable std::mutex target_mu_;  // guards target_; a leaf
  std::optional<cache::ExpiryTarget> target_;
  std::mutex mu_;  // guards stopping_ and quiet_until_; a leaf, never held across a tree call
  std::condition_variable cv_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point quiet_until_{};
  std::thread thread_;
};

}  // namespace visionfs::fs
