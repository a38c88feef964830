#pragma once
// Filesystem: everything one mounted visionfs owns, handed to every FUSE
// operation as the session's userdata.
//
// Owns: the memory budget, the Tree, the analyzer catalog, and (once
// start_threads() has run, after daemonizing, since fork keeps no threads)
// the analysis workers, the notifier, the sidecar scheduler and the evictor.
// Thread-safety: the members are themselves thread-safe; the thread-owning
// pointers are set before the session loop starts and reset after it ends.
// No public data: operations reach the parts through the accessors.

#include "analysis/core/analysis_service.h"
#include "analysis/core/catalog.h"
#include "cache/clock.h"
#include "cache/memory_budget.h"
#include "cache/tree.h"
#include "fs/budget_gate.h"
#include "fs/control_snapshots.h"
#include "fs/handle_table.h"
#include "fs/options.h"

#include <fuse_lowlevel.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace visionfs::sidecars {
class Scheduler;
class ParkTimer;
}  // namespace visionfs::sidecars

namespace visionfs::fs {

class Notifier;
class Evictor;

// Inode numbers of the read-only control directory, below the Tree's range.
inline constexpr cache::Ino kControlDirIno = 2;
inline constexpr cache::Ino kStatsIno = 3;
inline constexpr cache::Ino kConfigIno = 4;
inline constexpr const char* kControlDirName = ".visionfs";

// How long the kernel may cache names and attributes. Every change goes
// through this kernel mount (memory only, no other writer), so the kernel's
// view stays right; the exceptions (sidecars of a rewritten image, evicted
// files) are invalidated explicitly. Sidecars never change for an inode.
inline constexpr double kEntryTimeout = 60.0;
inline constexpr double kAttrTimeout = 60.0;
inline constexpr double kSidecarTimeout = 3600.0;

// What an open file handle (fi->fh) holds: the node itself, so the bytes of
// a file evicted or unlinked while open stay readable until release.
struct FileHandle {
  cache::NodePtr node;
  int flags = 0;
  std::shared_ptr<const std::string> control_text;  // served instead of the node's bytes: control files, .hidden
  std::uint64_t version_at_open = 0;
};

// A directory listing taken at opendir, so offsets stay stable while the
// directory changes underneath a reader (as on tmpfs, entries added later
// may or may not appear; none is listed twice).
struct DirHandle {
  std::vector<cache::DirEntry> entries;
};

class Filesystem {
 public:
  Filesystem(const Options& options, analysis::AnalyzerCatalog catalog);
  ~Filesystem();
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;

  void start_threads(fuse_session* session);  // after fuse_daemonize
  void stop_threads();                        // after the session loop

  // Sends the Tree's queued kernel notifications (from the notifier thread),
  // and lets the analysis service forget the decoded pixels of versions gone.
  void flush_notifications();
  // The expiry target of `req`, if it is our own evictor's unlink or rmdir.
  std::optional<cache::ExpiryTarget> eviction_of(fuse_req_t req) const;
  // The evictor's probe nonce, if `req` is its probe (fs/evictor.h).
  std::optional<std::string> evictor_probe(fuse_req_t req) const;
  // Whether `req` is the evictor's lookup or unlink of a departed sidecar
  // name (cache::Tree::departed()); wake_evictor() after queuing some.
  bool departed_request(fuse_req_t req) const;
  bool arrival_request(fuse_req_t req) const;  // the evictor making an arrived name
  void wake_evictor();

  const Options& options() const { return options_; }
  const cache::Clock& clock() const { return clock_; }
  const cache::MemoryBudget& budget() const { return budget_; }
  const analysis::AnalyzerCatalog& catalog() const { return catalog_; }
  const std::vector<std::string>& sidecar_analyzers() const { return sidecar_analyzers_; }  // enabled, in order
  const std::vector<std::string>& precompute() const { return precompute_; }
  cache::Tree& tree() { return tree_; }
  const cache::Tree& tree() const { return tree_; }
  HandleTable<FileHandle>& files() { return files_; }
  HandleTable<DirHandle>& dirs() { return dirs_; }
  // Null before start_threads() and after stop_threads().
  sidecars::Scheduler* scheduler() const { return scheduler_.get(); }
  analysis::AnalysisService* service() const { return service_.get(); }
  ControlSnapshots& control_snapshots() const { return control_snapshots_; }

 private:
  mutable ControlSnapshots control_snapshots_;
  const Options& options_;
  cache::SteadyClock clock_;
  cache::MemoryBudget budget_;
  BudgetGate gate_;  // the analyses' side of budget_
  const analysis::AnalyzerCatalog catalog_;
  std::vector<std::string> sidecar_analyzers_;
  std::vector<std::string> precompute_;
  cache::Tree tree_;

  HandleTable<FileHandle> files_;
  HandleTable<DirHandle> dirs_;

  // Threads: started by start_threads() in this order, stopped in reverse.
  std::unique_ptr<analysis::AnalysisService> service_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<sidecars::Scheduler> scheduler_;
  std::unique_ptr<sidecars::ParkTimer> park_timer_;
  std::unique_ptr<Evictor> evictor_;
};

inline Filesystem& filesystem_of(fuse_req_t req) { return *static_cast<Filesystem*>(fuse_req_userdata(req)); }

// The operation table (fs/ops_*.cpp).
fuse_lowlevel_ops make_operations();

}  // namespace visionfs::fs
