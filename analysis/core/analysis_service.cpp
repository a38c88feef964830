#include "analysis/core/analysis_service.h"

#include "analysis/core/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <tuple>

namespace visionfs::analysis {

// One job's place in the budget (see the header).
struct AnalysisService::Admission {
  enum class Verdict { kAdmitted, kNeverFits, kBudgetFull, kStopping };
  Verdict verdict = Verdict::kAdmitted;
  DecodeCost cost;
  std::uint64_t working = 0;  // the analysis's own estimate
  std::uint64_t need = 0;     // what it asked for last: working, plus the decoder's peak if it decodes
  std::uint64_t taken = 0;    // working memory held now (with the decoder's peak while decoding)
  DecodedCache::Entry entry;  // the version's decode, shared with its siblings
  std::unique_ptr<std::promise<std::shared_ptr<const DecodedVersion>>> decodes;  // set: this job decodes
  std::string message;
};

namespace {
constexpr std::size_t kLatencySamples = 1024;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(index, samples.size() - 1)];
}

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }
}  // namespace

AnalysisService::AnalysisService(ServiceConfig config)
    : config_(std::move(config)), decoded_(config_.decoded_cache_bytes) {
  const unsigned workers = std::max(1u, config_.workers);
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

AnalysisService::~AnalysisService() {
  DecodedCache::Dropped dropped;  // wiped after unlock
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  memory_.notify_all();
  for (auto& t : workers_) t.join();
  std::lock_guard lock(mu_);
  decoded_.clear(dropped);
}

void AnalysisService::enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    outstanding_[job.image.key]++;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void AnalysisService::submit(ImageRef image, const Analyzer* analyzer, Done done, Refused refused) {
  Job job;
  job.image = std::move(image);
  job.analyzer = analyzer;
  job.done = std::move(done);
  job.refused = std::move(refused);
  enqueue(std::move(job));
}

void AnalysisService::submit_drawing(ImageRef image, std::string name, std::uint64_t working_bytes, Drawing draw,
                                     Done done, Refused refused) {
  Job job;
  job.image = std::move(image);
  job.drawing_name = std::move(name);
  job.drawing_bytes = working_bytes;
  job.draw = std::move(draw);
  job.done = std::move(done);
  job.refused = std::move(refused);
  enqueue(std::move(job));
}

void AnalysisService::forget(ImageKey key) {
  DecodedCache::Dropped dropped;  // wiped after unlock
  std::lock_guard lock(mu_);
  decoded_.drop(key, dropped);
  if (outstanding_.count(key)) forgotten_.insert(key);
}

std::uint64_t AnalysisService::reclaim_decoded() {
  DecodedCache::Dropped dropped;
  std::uint64_t bytes = 0;
  {
    std::lock_guard lock(mu_);
    decoded_.drop_unused(dropped);
    for (const auto& entry : dropped) bytes += entry.get()->charged;
  }
  dropped.clear();  // each gives its charge back as it is destroyed
  return bytes;
}

void AnalysisService::job_done(ImageKey key) {
  DecodedCache::Dropped dropped;  // wiped after unlock
  std::lock_guard lock(mu_);
  running_--;
  if (running_ == 0 && queue_.empty() && config_.idle.release) {
    release_due_ = true;
    idle_since_ = Clock::now();
    cv_.notify_all();  // a waiting worker takes the new deadline
  }
  auto it = outstanding_.find(key);
  if (it == outstanding_.end() || --it->second > 0) return;
  outstanding_.erase(it);
  if (forgotten_.erase(key)) decoded_.drop(key, dropped);
}

std::size_t AnalysisService::decoded_versions() const {
  std::lock_guard lock(mu_);
  return decoded_.size();
}

bool AnalysisService::take_locked(const Job& job, Admission& a) {
  // Asked again at every try: a sibling may have decoded the version meanwhile.
  const DecodedCache::Entry* entry = decoded_.find(job.image.key);
  a.need = a.working + (entry ? 0 : a.cost.decode_peak);
  if (config_.gate && !config_.gate->try_take(a.need, MemoryGate::Use::kWorking)) return false;
  a.taken = a.need;
  working_taken_ += a.need;
  if (entry) {
    a.entry = *entry;
    decoded_hits_++;
  } else {
    a.decodes = std::make_unique<std::promise<std::shared_ptr<const DecodedVersion>>>();
    a.entry = a.decodes->get_future().share();
    decoded_.insert(job.image.key, a.entry);
  }
  return true;
}

AnalysisService::Admission AnalysisService::admit(const Job& job) {
  using Verdict = Admission::Verdict;
  Admission a;
  a.cost = decoded_bytes(job.image.bytes);  // header only, before the lock
  a.working = job.analyzer ? job.analyzer->working_bytes(a.cost.width, a.cost.height) : job.drawing_bytes;
  DecodedCache::Dropped dropped;
  std::unique_lock lock(mu_);
  const auto ticket = next_ticket_++;
  line_.push_back(ticket);
  for (;;) {
    if (stopping_) {
      a.verdict = Verdict::kStopping;
      break;
    }
    if (line_.front() == ticket) {
      if (take_locked(job, a)) break;
      if (a.need > config_.gate->capacity()) {
        a.verdict = Verdict::kNeverFits;
        refused_never_++;
        break;
      }
      // Pixels kept only for analyses that may never come go first.
      if (decoded_.drop_unused(dropped) > 0) {
        lock.unlock();
        dropped.clear();  // gives their charge back
        lock.lock();
        continue;
      }
      if (working_taken_ == 0) {
        // Nothing running will give memory back: what holds the budget is
        // what the user stored, which only they (or the TTL) remove.
        a.verdict = Verdict::kBudgetFull;
        refused_full_++;
        break;
      }
    }
    memory_.wait(lock);
  }
  line_.erase(std::find(line_.begin(), line_.end(), ticket));
  memory_.notify_all();  // the next in line may try now
  lock.unlock();
  log_refusal(a);
  return a;
}

void AnalysisService::log_refusal(Admission& a) const {
  using Verdict = Admission::Verdict;
  if (a.verdict == Verdict::kNeverFits) {
    a.message = "analysing this " + std::to_string(a.cost.width) + "x" + std::to_string(a.cost.height) +
                " image needs about " + mib(a.need) + ", more than the whole memory budget (max_memory, " +
                mib(config_.gate->capacity()) + ")";
  }
  if (a.verdict == Verdict::kNeverFits || a.verdict == Verdict::kBudgetFull) {
    spdlog::info("an analysis of a {}x{} image needing {} was refused: {}", a.cost.width, a.cost.height,
                 mib(a.need),
                 a.verdict == Verdict::kNeverFits ? "more than the whole memory budget"
                                                  : "the memory budget is full of stored files (ENOSPC)");
  }
}

std::shared_ptr<const DecodedVersion> AnalysisService::decode(const Job& job, Admission& a) {
  if (!a.decodes) return a.entry.get();  // a sibling decodes (or did)
  auto result = std::make_shared<DecodedVersion>();
  try {
    result->image = decode_image(job.image.bytes, config_.limits);
  } catch (const AnalysisError& e) {
    result->code = e.code();
    result->message = e.what();
  } catch (const std::exception& e) {
    result->code = ErrorCode::kInternal;
    result->message = std::string("decoder failed: ") + e.what();
  }
  // The pixels stay charged as long as the version keeps them; the
  // decoder's temporaries are gone now.
  std::uint64_t temporaries = a.cost.decode_peak;
  if (result->image && config_.gate) {
    config_.gate->reclassify(a.cost.pixels, MemoryGate::Use::kWorking, MemoryGate::Use::kDecoded);
    result->gate = config_.gate;
    result->charged = a.cost.pixels;
    temporaries -= a.cost.pixels;
    std::lock_guard lock(mu_);
    working_taken_ -= a.cost.pixels;
    a.taken -= a.cost.pixels;
  }
  give_back_working(std::min(temporaries, a.taken - a.working));
  a.taken = a.working;
  a.decodes->set_value(result);
  a.decodes.reset();  // the promise shares the version's state: only holders of `entry` keep it
  DecodedCache::Dropped dropped;  // wiped after unlock
  std::lock_guard lock(mu_);
  decodes_++;
  if (!result->image) decode_errors_++;
  decoded_.trim(dropped);
  return result;
}

void AnalysisService::give_back_working(std::uint64_t bytes) {
  if (bytes == 0) return;
  {
    std::lock_guard lock(mu_);
    working_taken_ -= bytes;
    if (config_.gate) config_.gate->give_back(bytes, MemoryGate::Use::kWorking);
  }
  memory_.notify_all();
}

std::pair<std::string, bool> AnalysisService::run(const Job& job, const DecodedVersion& decoded) {
  if (job.draw) return {job.draw(decoded.image.get(), decoded.message), !decoded.image};  // may throw
  const nlohmann::json result = decoded.image ? run_analyzer(*job.analyzer, job.image.bytes, *decoded.image)
                                              : error_result(*job.analyzer, decoded.code, decoded.message);
  return {to_sidecar_text(result), result.contains("error")};
}

void AnalysisService::record(const std::string& name, double ms, bool error) {
  std::lock_guard lock(mu_);
  auto& c = counts_[name];
  c.runs++;
  if (error) c.errors++;
  auto& samples = latencies_ms_[name];
  if (samples.size() >= kLatencySamples) samples.erase(samples.begin());
  samples.push_back(ms);
}

bool AnalysisService::next_job(Job& job) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return false;
    if (!queue_.empty()) break;
    if (!release_due_ || running_ > 0) {
      // A running job sets the idle period anew when it ends.
      release_due_ = false;
      cv_.wait(lock);
      continue;
    }
    const auto deadline = idle_since_ + config_.idle.after;
    if (Clock::now() < deadline) {
      cv_.wait_until(lock, deadline);
      continue;
    }
    // Idle long enough, and no job ran or waits: one worker releases the
    // decoded pixels kept for siblings that never came, then the engines'.
    release_due_ = false;
    DecodedCache::Dropped dropped;
    decoded_.clear(dropped);
    lock.unlock();
    dropped.clear();  // wiped here, unlocked
    config_.idle.release();
    lock.lock();
  }
  job = std::move(queue_.front());
  queue_.pop_front();
  running_++;
  return true;
}

void AnalysisService::worker_loop() {
  using Verdict = Admission::Verdict;
  for (Job job; next_job(job); job = Job{}) {  // a finished job's image bytes go at once
    const auto start = Clock::now();
    Admission admission = admit(job);
    const bool stopping = admission.verdict == Verdict::kStopping;
    if ((admission.verdict == Verdict::kBudgetFull || stopping) && job.refused) {
      job_done(job.image.key);
      job.refused(stopping ? EIO : ENOSPC);
      continue;
    }
    std::string text;
    bool error = true, failed = false;
    if (admission.verdict == Verdict::kAdmitted) {
      auto decoded = decode(job, admission);
      try {
        std::tie(text, error) = run(job, *decoded);
      } catch (const std::exception& e) {  // a drawing (analyzers never throw: pipeline.h)
        spdlog::error("{} failed: {}", job.name(), e.what());
        failed = true;
      }
      // Let go of the version before giving the memory back: a job waiting
      // for memory must find these pixels droppable (or gone) when woken.
      decoded.reset();
      admission.entry = {};
    } else {
      if (admission.message.empty()) {
        admission.message = stopping ? "the daemon is stopping" : "the memory budget (max_memory) is full";
      }
      const auto code = stopping ? ErrorCode::kUnavailable : ErrorCode::kResourceExhausted;
      text = job.draw ? job.draw(nullptr, admission.message)
                      : to_sidecar_text(error_result(*job.analyzer, code, admission.message));
    }
    give_back_working(admission.taken);
    record(job.name(), std::chrono::duration<double, std::milli>(Clock::now() - start).count(), error);
    job_done(job.image.key);
    if (failed && job.refused) {
      job.refused(EIO);
    } else {
      job.done(std::move(text));
    }
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
  s.decoded_bytes = decoded_.bytes();
  s.working_bytes = working_taken_;
  s.waiting_for_memory = line_.size();
  s.refused_budget_full = refused_full_;
  s.refused_never_fits = refused_never_;
  return s;
}

}  // namespace visionfs::analysis
