#pragma once
// SidecarScheduler: turns "the kernel wants this sidecar" into exactly one
// analysis per sidecar version, and answers every request that waited on it.
//
// A sidecar's size must be exact before anyone sees a size (fuse-lessons.md
// section 1), so a getattr or open of a sidecar not computed yet is not
// answered at once: the request is kept here and answered from the analysis
// worker that finishes it. FUSE loop threads are never blocked by an
// analysis. (A lookup only starts the analysis; see fs/ops_entry.cpp.)
//
// Owns: the waiting requests (single-flight by sidecar inode), the requests
// parked because their image is still open for writing (answered EBUSY
// after `write_wait`), and the per-analyzer computed/hit counters.
// Thread-safety: all public methods are thread-safe. No lock is held while
// replying to the kernel or calling into the analysis service.

#include "cache/tree.h"

#include <fuse_lowlevel.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace visionfs::fs {

class Filesystem;

class SidecarScheduler {
 public:
  // kNone: nobody waits (a lookup or precompute only starts the analysis).
  enum class Want { kNone, kAttr, kOpen, kCombinedPart };
  struct Waiter {
    Want want = Want::kNone;
    fuse_req_t req = nullptr;
    fuse_file_info fi{};        // kOpen: a copy, libfuse's lives on its stack
    cache::Ino combined = 0;    // kCombinedPart: the NAME.json waiting on us
  };
  struct Counters {
    std::uint64_t computed = 0, hits = 0, waiting = 0;
  };

  SidecarScheduler(Filesystem& fs, std::chrono::milliseconds write_wait);
  ~SidecarScheduler();
  SidecarScheduler(const SidecarScheduler&) = delete;
  SidecarScheduler& operator=(const SidecarScheduler&) = delete;

  // Answers `waiter` once `sidecar` is computed (at once if it is).
  void request(const cache::NodePtr& sidecar, Waiter waiter);
  // The last writer of `image` closed it: parked sidecars may go, and the
  // configured analyses are precomputed.
  void image_closed(const cache::NodePtr& image, bool changed);
  void count_hit(const std::string& analyzer);
  std::map<std::string, Counters> counters() const;

 private:
  struct Pending {
    cache::NodePtr sidecar;
    std::vector<Waiter> waiters;
    std::optional<std::chrono::steady_clock::time_point> parked_until;  // image open for writing
    cache::Ino image = 0;
  };

  void dispatch(const cache::NodePtr& sidecar);
  void dispatch_combined(const cache::NodePtr& combined);
  void finish(const cache::NodePtr& sidecar, const std::string& text);
  void fail(cache::Ino ino, int err);
  void answer(Waiter& waiter, const cache::NodePtr& sidecar, const struct stat& attr);
  void try_compose(cache::Ino combined);
  void timer_loop();

  Filesystem& fs_;
  const std::chrono::milliseconds write_wait_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<cache::Ino, Pending> pending_;
  std::map<std::string, Counters> counters_;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace visionfs::fs
