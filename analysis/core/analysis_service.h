#pragma once
// AnalysisService: runs analyzers on a bounded pool of worker threads, so a
// slow analysis never occupies one of the FUSE loop's threads.
//
// Owns: the worker threads, the job queue, the decoded images of recent
// versions (DecodedCache: each version is decoded once and shared by its
// analyzers), the memory admission line, and the analysis statistics.
//
// Memory (with a MemoryGate): a job starts only once the gate holds what it
// will allocate: its analyzer's working memory and, if its version is not
// decoded yet, the decoder's peak (analysis::decoded_bytes). Jobs are
// admitted in the order they reached a worker; one that does not fit waits
// while other admitted work holds memory that will come back, after the
// decoded pixels nobody reads have been dropped. One that needs more than
// the whole budget gets a RESOURCE_EXHAUSTED error sidecar; one that fits
// in the budget but not beside what the user stored is refused (Refused:
// ENOSPC, nothing stored, so a later read tries again).
//
// Thread-safety: every public method is thread-safe. `done` and `refused`
// callbacks run on a worker thread with no lock of the service held, so
// they may reply to the kernel or call back into the service. Lock order:
// mu_ is a leaf but for the gate, which never blocks.
// Single-flight (one computation per sidecar) is the caller's job: the
// filesystem knows which requests wait on which sidecar.

#include "analysis/core/analyzer.h"
#include "analysis/core/decoded_cache.h"
#include "analysis/core/memory_gate.h"
#include "analysis/decode/decode.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace visionfs::analysis {

struct ImageRef {
  ImageKey key;
  std::shared_ptr<const void> owner;     // keeps `bytes` alive and unchanged
  std::span<const std::uint8_t> bytes;
};

struct AnalyzerStats {
  std::uint64_t runs = 0, errors = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

struct ServiceStats {
  std::map<std::string, AnalyzerStats> analyzers;
  std::uint64_t decodes = 0, decode_errors = 0, decoded_cache_hits = 0;
  std::uint64_t queued = 0, running = 0;
  unsigned workers = 0;
  // Memory: decoded pixels kept, working memory taken by running jobs, jobs
  // waiting for memory, and jobs refused or failed for want of it.
  std::uint64_t decoded_bytes = 0, working_bytes = 0, waiting_for_memory = 0;
  std::uint64_t refused_budget_full = 0, refused_never_fits = 0;
};

// What the service does once no analysis has run for `after`: `release`
// drops the engines' working memory (the daemon: every idle engine
// instance, then malloc_trim). Called at most once per idle period, on a
// worker thread, with no lock of the service held. Empty: never.
struct IdleRelease {
  std::chrono::milliseconds after{60000};
  std::function<void()> release;
};

struct ServiceConfig {
  DecodeLimits limits;
  unsigned workers = 1;
  std::size_t decoded_cache_bytes = std::size_t{256} << 20;
  IdleRelease idle;
  MemoryGate* gate = nullptr;  // null: unbounded; else outlives the service
};

// A picture drawn on a decoded version (NAME.annotated.jpg): gets the
// pixels, or null and the decoder's message; returns the file's bytes.
using Drawing = std::function<std::string(const DecodedImage* image, const std::string& decode_error)>;

class AnalysisService {
 public:
  using Done = std::function<void(std::string sidecar_text)>;
  // The job was not run: the budget cannot hold it beside what is stored
  // (ENOSPC), or the service is stopping (EIO). Nothing is stored.
  using Refused = std::function<void(int err)>;

  explicit AnalysisService(ServiceConfig config);
  AnalysisService(DecodeLimits limits, unsigned workers) : AnalysisService(config_of(limits, workers)) {}
  ~AnalysisService();  // finishes running jobs, drops queued ones
  AnalysisService(const AnalysisService&) = delete;
  AnalysisService& operator=(const AnalysisService&) = delete;

  // Queues one analysis; `done` receives the sidecar text (JSON + "\n"),
  // error JSON included. Without `refused`, a refusal is an error sidecar
  // (code 8) too. REQUIRES: `analyzer` outlives the service.
  void submit(ImageRef image, const Analyzer* analyzer, Done done, Refused refused = {});
  // Queues a drawing on the decoded image, admitted like an analysis that
  // needs `working_bytes`; `done` receives what `draw` returned.
  void submit_drawing(ImageRef image, std::string name, std::uint64_t working_bytes, Drawing draw, Done done,
                      Refused refused = {});
  // The image version is gone: drop its decoded pixels now, and again when
  // its last queued or running job is done (a job still to run decodes it
  // once more for itself and its siblings; nothing keeps it afterwards).
  void forget(ImageKey key);
  // Drops the decoded pixels no job is reading (the budget's reclaimer, when
  // a write needs the room). Returns the bytes given back.
  std::uint64_t reclaim_decoded();
  // Image versions with decoded pixels kept (for tests and stats).
  std::size_t decoded_versions() const;
  ServiceStats stats() const;

 private:
  static ServiceConfig config_of(DecodeLimits limits, unsigned workers) {
    ServiceConfig config;
    config.limits = limits;
    config.workers = workers;
    return config;
  }
  struct Job {
    ImageRef image;
    const Analyzer* analyzer = nullptr;  // or a drawing:
    std::string drawing_name;
    std::uint64_t drawing_bytes = 0;
    Drawing draw;
    Done done;
    Refused refused;
    std::string name() const { return analyzer ? analyzer->name() : drawing_name; }
  };
  struct Admission;

  void enqueue(Job job);
  void worker_loop();
  // Waits for a job; runs the idle release when one is due. False: stop.
  bool next_job(Job& job);
  // Blocks until the job's memory is taken, or it is refused.
  Admission admit(const Job& job);
  // REQUIRES mu_: takes the job's memory if the gate holds it now, and its
  // version's decode (shared, or its own to make).
  bool take_locked(const Job& job, Admission& admission);
  // Says why a refused job was refused (its message and the log).
  void log_refusal(Admission& admission) const;
  std::shared_ptr<const DecodedVersion> decode(const Job& job, Admission& admission);
  // The sidecar text, and whether it is an error.
  std::pair<std::string, bool> run(const Job& job, const DecodedVersion& decoded);
  void record(const std::string& name, double ms, bool error);
  void give_back_working(std::uint64_t bytes);
  void job_done(ImageKey key);

  const ServiceConfig config_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // work to do, idle deadlines
  std::condition_variable memory_;   // memory given back, the line moved
  std::deque<Job> queue_;
  bool stopping_ = false;
  unsigned running_ = 0;
  // Set when the last running job ends with nothing queued; the idle
  // release is due at idle_since_ + idle.after unless work comes first.
  bool release_due_ = false;
  std::chrono::steady_clock::time_point idle_since_;
  DecodedCache decoded_;
  std::map<ImageKey, unsigned> outstanding_;  // queued or running jobs per version
  std::set<ImageKey> forgotten_;             // forgotten while jobs were outstanding
  // Admission: tickets in the order jobs asked, and the working memory
  // (decoder peaks included) admitted jobs hold now.
  std::deque<std::uint64_t> line_;
  std::uint64_t next_ticket_ = 0;
  std::uint64_t working_taken_ = 0;
  std::uint64_t refused_full_ = 0, refused_never_ = 0;
  std::map<std::string, std::vector<double>> latencies_ms_;  // ring of recent samples
  std::map<std::string, AnalyzerStats> counts_;
  std::uint64_t decodes_ = 0, decode_errors_ = 0, decoded_hits_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace visionfs::analysis
