#include "analysis/core/analysis_service.h"

#include "analysis/core/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace visionfs::analysis {

struct AnalysisService::Decoded {
  std::shared_ptr<const DecodedImage> image;  // null on error
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::size_t bytes() const { return image ? image->pixels.total() * image->pixels.elemSize() : 0; }
};

namespace {
constexpr std::size_t kLatencySamples = 1024;

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(index, samples.size() - 1)];
}
}  // namespace

AnalysisService::AnalysisService(DecodeLimits limits, unsigned workers, std::size_t decoded_cache_bytes)
    : limits_(limits), decoded_cache_bytes_(decoded_cache_bytes) {
  workers = std::max(1u, workers);
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

AnalysisService::~AnalysisService() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void AnalysisService::submit(ImageRef image, const Analyzer* analyzer, Done done) {
  {
    std::lock_guard lock(mu_);
    outstanding_[image.key]++;
    queue_.push_back({std::move(image), analyzer, std::move(done)});
  }
  cv_.notify_one();
}

void AnalysisService::drop_locked(ImageKey key,
                                  std::vector<std::shared_future<std::shared_ptr<const Decoded>>>& dropped) {
  for (auto it = decoded_.begin(); it != decoded_.end(); ++it) {
    if (it->first == key) {
      dropped.push_back(std::move(it->second));
      decoded_.erase(it);
      return;
    }
  }
}

void AnalysisService::forget(ImageKey key) {
  std::vector<std::shared_future<std::shared_ptr<const Decoded>>> dropped;  // wiped after unlock
  std::lock_guard lock(mu_);
  drop_locked(key, dropped);
  if (outstanding_.count(key)) forgotten_.insert(key);
}

void AnalysisService::job_done(ImageKey key) {
  std::vector<std::shared_future<std::shared_ptr<const Decoded>>> dropped;  // wiped after unlock
  std::lock_guard lock(mu_);
  running_--;
  auto it = outstanding_.find(key);
  if (it == outstanding_.end() || --it->second > 0) return;
  outstanding_.erase(it);
  if (forgotten_.erase(key)) drop_locked(key, dropped);
}

std::size_t AnalysisService::decoded_versions() const {
  std::lock_guard lock(mu_);
  return decoded_.size();
}

std::shared_ptr<const AnalysisService::Decoded> AnalysisService::decoded_for(const ImageRef& image) {
  std::promise<std::shared_ptr<const Decoded>> promise;
  std::shared_future<std::shared_ptr<const Decoded>> future;
  bool mine = false;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(decoded_.begin(), decoded_.end(), [&](const auto& e) { return e.first == image.key; });
    if (it != decoded_.end()) {
      decoded_hits_++;
      decoded_.splice(decoded_.end(), decoded_, it);  // most recently used last
      future = it->second;
    } else {
      future = promise.get_future().share();
      decoded_.emplace_back(image.key, future);
      mine = true;
    }
  }
  // Only the job that created the entry decodes; the others wait for it.
  if (!mine) return future.get();

  auto result = std::make_shared<Decoded>();
  try {
    result->image = decode_image(image.bytes, limits_);
  } catch (const AnalysisError& e) {
    result->code = e.code();
    result->message = e.what();
  } catch (const std::exception& e) {
    result->code = ErrorCode::kInternal;
    result->message = std::string("decoder failed: ") + e.what();
  }
  promise.set_value(result);

  std::vector<std::shared_future<std::shared_ptr<const Decoded>>> dropped;  // wiped after unlock
  std::lock_guard lock(mu_);
  decodes_++;
  if (!result->image) decode_errors_++;
  // Keep recent versions within the byte cap; the newest always stays.
  auto ready = [](const auto& f) { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; };
  std::size_t total = 0;
  for (const auto& [key, f] : decoded_) total += ready(f) ? f.get()->bytes() : 0;
  while (decoded_.size() > 1 && total > decoded_cache_bytes_ && ready(decoded_.front().second)) {
    total -= decoded_.front().second.get()->bytes();
    dropped.push_back(std::move(decoded_.front().second));
    decoded_.pop_front();
  }
  return result;
}

void AnalysisService::record(const std::string& analyzer, double ms, bool error) {
  std::lock_guard lock(mu_);
  auto& c = counts_[analyzer];
  c.runs++;
  if (error) c.errors++;
  auto& samples = latencies_ms_[analyzer];
  if (samples.size() >= kLatencySamples) samples.erase(samples.begin());
  samples.push_back(ms);
}

void AnalysisService::worker_loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      running_++;
    }
    auto start = std::chrono::steady_clock::now();
    nlohmann::json result;
    auto decoded = decoded_for(job.image);
    if (decoded->image) {
      result = run_analyzer(*job.analyzer, job.image.bytes, *decoded->image);
    } else {
      result = error_result(*job.analyzer, decoded->code, decoded->message);
    }
    decoded.reset();
    std::string text = to_sidecar_text(result);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    record(job.analyzer->name(), ms, result.contains("error"));
    job_done(job.image.key);
    job.done(std::move(text));
  }
}

ServiceStats AnalysisService::stats() const {
  std::lock_guard lock(mu_);
  ServiceStats s;
  for (const auto& [name, c] : counts_) {
    auto stats = c;
    const auto& samples = latencies_ms_.at(name);
    stats.p50_ms = percentile(samples, 0.5);
    stats.p90_ms = percentile(samples, 0.9);
    stats.p99_ms = percentile(samples, 0.99);
    stats.max_ms = samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end());
    s.analyzers[name] = stats;
  }
  s.decodes = decodes_;
  s.decode_errors = decode_errors_;
  s.decoded_cache_hits = decoded_hits_;
  s.queued = queue_.size();
  s.running = running_;
  s.workers = static_cast<unsigned>(workers_.size());
  return s;
}

}  // namespace visionfs::analysis
