#pragma once
// The last rendering of each control file (stats.json, config.json), so
// that a stat right after an open describes what that open reads.
//
// Why: the kernel's fstat(2) sends GETATTR without the file handle, so the
// daemon cannot size a stat by the handle's rendering. GNU tar opens,
// fstats, reads exactly st_size bytes and fstats again, and reports "file
// changed as we read it" (exit 1) if the size or ctime moved. So an OPEN
// renders afresh and records it here, and a GETATTR within kReuse of the
// last rendering reports its size and time instead of rendering again.
//
// Thread-safe (one mutex, never held while rendering or replying).

#include "cache/thread_annotations.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

namespace visionfs::fs {

struct ControlRendering {
  std::shared_ptr<const std::string> text;
  timespec made{};  // wall time: the file's mtime and ctime
};

class ControlSnapshots {
 public:
  static constexpr std::chrono::seconds kReuse{1};
  // Records a fresh rendering of control file `which` (0 or 1), made now.
  std::shared_ptr<const ControlRendering> record(int which, std::shared_ptr<const std::string> text);
  // The last rendering of `which` if younger than kReuse.
  std::shared_ptr<const ControlRendering> recent(int which) const;

 private:
  mutable cache::Mutex mu_;
  std::shared_ptr<const ControlRendering> last_[2] GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_at_[2] GUARDED_BY(mu_);
};

}  // namespace visionfs::fs
