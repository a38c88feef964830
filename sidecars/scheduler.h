#pragma once
// Scheduler: the sidecar workflow. Turns "someone wants this sidecar" into
// exactly one analysis per sidecar inode (single-flight), and hands every
// waiter exactly one Outcome, whatever happens to the image meanwhile.
//
// Owns: the pending computations (by sidecar inode) with their waiters, the
// parts a NAME.json waits for, the requests parked because their image is
// open for writing, and the per-analyzer counters.
//
// What each waiter gets (docs/design.md, "Sidecars"):
//   result computed           -> the sidecar and its exact attributes
//   image removed or expired  -> ENOENT (before its analysis started)
//   image rewritten           -> ESTALE (before its analysis started; the VFS
//                                retries an open with a fresh lookup)
//   image open for writing    -> parked until the last writer closes, then
//                                as above; EBUSY after `write_wait`
//   NAME.json                 -> its parts' outcome: the first part's errno,
//                                or all results composed (google_response.h)
//   shutdown()                -> EIO, now and for every later request
// An analysis that has started finishes on the bytes it started with, and
// its waiters get that result, even if the image changed meanwhile: the
// sidecar inode they asked for belongs to that version.
//
// Preconditions: `tree`, `catalog` and `clock` outlive the scheduler; so does
// whatever `submit` hands jobs to, or it is stopped before shutdown().
// Thread-safety: every public method is thread-safe. Waiters are answered
// with no lock held (Waiter's contract). Lock order: Scheduler::mu_, then the
// Tree's mutex (inside tree calls); `submit` is never called under mu_.

#include "analysis/core/analysis_service.h"
#include "analysis/core/catalog.h"
#include "cache/clock.h"
#include "cache/thread_annotations.h"
#include "cache/tree.h"
#include "sidecars/combined.h"
#include "sidecars/waiter.h"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace visionfs::sidecars {

// Queues one analysis of one image version; `done` gets the sidecar text,
// `refused` an errno when the analysis could not run (the memory budget is
// full: ENOSPC). In the daemon: AnalysisService::submit.
using Submit = std::function<void(analysis::ImageRef, const analysis::Analyzer*, analysis::AnalysisService::Done,
                                  analysis::AnalysisService::Refused)>;
// Queues a drawing on the decoded image version (NAME.annotated.jpg),
// needing `working_bytes`. In the daemon: AnalysisService::submit_drawing.
using SubmitDrawing = std::function<void(analysis::ImageRef, std::uint64_t working_bytes, analysis::Drawing,
                                         analysis::AnalysisService::Done, analysis::AnalysisService::Refused)>;

struct SchedulerConfig {
  std::vector<std::string> analyzers;   // enabled, in NAME.json order
  std::vector<std::string> precompute;  // started when an image's last writer closes
  std::chrono::milliseconds write_wait{30000};
  SubmitDrawing draw;  // NAME.annotated.jpg; unset: that sidecar fails with EIO
};

struct Counters {
  std::uint64_t computed = 0, hits = 0, waiting = 0;
};

class Scheduler {
 public:
  Scheduler(cache::Tree& tree, const analysis::AnalyzerCatalog& catalog, Submit submit, const cache::Clock& clock,
            SchedulerConfig config);
  ~Scheduler();  // shutdown()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // `waiter` gets the sidecar's outcome: at once if it is computed (on this
  // thread), otherwise from whichever thread finishes it. An empty waiter
  // only starts the computation.
  void request(const cache::NodePtr& sidecar, Waiter waiter);
  // The last writer of `image` closed it: parked requests go on, and when
  // its bytes changed, the configured analyses are precomputed.
  void image_closed(const cache::NodePtr& image, bool changed);
  // Answers EBUSY to requests parked past their deadline (on the injected
  // clock). Returns the earliest deadline still pending.
  std::optional<cache::TimePoint> expire_parked();
  // Every pending waiter gets EIO, and so does every later request.
  void shutdown();

  void count_hit(const std::string& analyzer);
  // By analyzer name; NAME.json counts as "all".
  std::map<std::string, Counters> counters() const;

 private:
  struct Pending;
  using Answers = std::vector<std::pair<Waiter, Outcome>>;
  using Results = std::vector<std::shared_ptr<const cache::SecureBuffer>>;  // keep the parts' views alive

  void dispatch(const cache::NodePtr& sidecar);
  // dispatch(), with any exception turned into every waiter's outcome.
  void dispatch_or_fail(const cache::NodePtr& sidecar);
  void start_analysis(const cache::NodePtr& sidecar, const cache::SidecarSource& source);
  void start_combined(const cache::NodePtr& combined);
  void part_done(cache::Ino combined, std::size_t index, std::uint64_t round, const Outcome& outcome);
  // Composes NAME.json, .xmp or .annotated.jpg from its parts and answers
  // its waiters: with the result, or with the errno of any failure.
  void compose_and_finish(const cache::NodePtr& composed, const std::vector<Part>& parts, const Results& results);
  void compose_or_throw(const cache::NodePtr& composed, const std::vector<Part>& parts, const Results& results);
  // NAME.annotated.jpg: drawn by the analysis service on the version's pixels.
  void start_drawing(const cache::NodePtr& composed, const std::vector<Part>& parts, const Results& results);
  void finish(const cache::NodePtr& sidecar, std::string_view text);
  void fail(cache::Ino ino, int err);
  // Moves the waiters of `ino` out with `outcome`, erases it.
  void take_locked(cache::Ino ino, const Outcome& outcome, Answers& out) REQUIRES(mu_);
  static void deliver_all(Answers& answers);

  cache::Tree& tree_;
  const analysis::AnalyzerCatalog& catalog_;
  const Submit submit_;
  const cache::Clock& clock_;
  const SchedulerConfig config_;

  // Taken before the Tree's mutex (tree calls under it), never held while a
  // waiter is answered or `submit_` is called.
  mutable cache::Mutex mu_;
  std::map<cache::Ino, Pending> pending_ GUARDED_BY(mu_);
  std::map<std::string, Counters> counters_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace visionfs::sidecars
