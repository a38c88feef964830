#pragma once
// AnalysisService: runs analyzers on a bounded pool of worker threads, so a
// slow analysis never occupies one of the FUSE loop's threads.
//
// Owns: the worker threads, the job queue, a small cache of decoded images
// (each image version is decoded once and shared by its analyzers; the
// pixels are wiped when dropped), and the analysis statistics.
// Thread-safety: every public method is thread-safe. `done` callbacks run on
// a worker thread with no lock of the service held, so they may reply to the
// kernel or call back into the service.
// Single-flight (one computation per sidecar) is the caller's job: the
// filesystem knows which requests wait on which sidecar.

#include "analysis/core/analyzer.h"
#include "analysis/core/catalog.h"
#include "analysis/decode/decode.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace visionfs::analysis {

struct ImageKey {
  std::uint64_t id = 0;       // the image file's inode number
  std::uint64_t version = 0;  // bumped by every change of its bytes
  auto operator<=>(const ImageKey&) const = default;
};

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
};

class AnalysisService {
 public:
  using Done = std::function<void(std::string sidecar_text)>;

  AnalysisService(DecodeLimits limits, unsigned workers, std::size_t decoded_cache_bytes = 256u << 20);
  ~AnalysisService();  // finishes running jobs, drops queued ones
  AnalysisService(const AnalysisService&) = delete;
  AnalysisService& operator=(const AnalysisService&) = delete;

  // Queues one analysis; `done` receives the sidecar text (JSON + "\n"),
  // error JSON included. REQUIRES: `analyzer` outlives the service.
  void submit(ImageRef image, const Analyzer* analyzer, Done done);
  // The image version is gone: drop its decoded pixels now, and again when
  // its last queued or running job is done (a job still to run decodes it
  // once more for itself and its siblings; nothing keeps it afterwards).
  void forget(ImageKey key);
  // Image versions with decoded pixels kept (for tests and stats).
  std::size_t decoded_versions() const;
  ServiceStats stats() const;

 private:
  struct Decoded;  // outcome of one decode
  struct Job {
    ImageRef image;
    const Analyzer* analyzer;
    Done done;
  };

  void worker_loop();
  std::shared_ptr<const Decoded> decoded_for(const ImageRef& image);
  void record(const std::string& analyzer, double ms, bool error);
  // REQUIRES mu_: moves the decoded entry of `key` into `dropped`.
  void drop_locked(ImageKey key, std::vector<std::shared_future<std::shared_ptr<const Decoded>>>& dropped);
  void job_done(ImageKey key);

  const DecodeLimits limits_;
  const std::size_t decoded_cache_bytes_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  unsigned running_ = 0;
  // Decoded images by version, oldest first; futures let concurrent
  // analyzers of one version wait for a single decode.
  std::list<std::pair<ImageKey, std::shared_future<std::shared_ptr<const Decoded>>>> decoded_;
  std::map<ImageKey, unsigned> outstanding_;  // queued or running jobs per version
  std::set<ImageKey> forgotten_;             // forgotten while jobs were outstanding
  std::map<std::string, std::vector<double>> latencies_ms_;  // ring of recent samples
  std::map<std::string, AnalyzerStats> counts_;
  std::uint64_t decodes_ = 0, decode_errors_ = 0, decoded_hits_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace visionfs::analysis
