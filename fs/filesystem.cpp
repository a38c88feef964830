#include "fs/filesystem.h"

#include "analysis/decode/image_format.h"
#include "fs/allocator.h"
#include "fs/evictor.h"
#include "fs/notifier.h"
#include "sidecars/park_timer.h"
#include "sidecars/scheduler.h"

#include "analysis/engines/instance_pool.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace visionfs::fs {
namespace {

// How long a sidecar waits for its image to be closed after writing before
// the request fails with EBUSY (docs/design.md).
constexpr auto kWriteWait = std::chrono::seconds(30);

cache::TreeOptions tree_options(const Options& o, const std::vector<std::string>& analyzers) {
  cache::TreeOptions t;
  t.ttl = std::chrono::duration_cast<cache::Duration>(o.ttl);
  t.root_uid = getuid();
  t.root_gid = getgid();
  t.root_mode = 0755;
  t.sidecar_analyzers = analyzers;
  t.listed_sidecars = o.listed;
  t.is_image = [](std::span<const std::uint8_t> head) { return analysis::sniff_image_format(head).has_value(); };
  t.sniff_bytes = analysis::kSniffBytes;
  return t;
}

std::vector<std::string> enabled_analyzers(const Options& o, const analysis::AnalyzerCatalog& catalog) {
  std::vector<std::string> names;
  for (const auto& a : catalog.available) {
    if (!o.analyzers || std::count(o.analyzers->begin(), o.analyzers->end(), a->name())) names.push_back(a->name());
  }
  return names;
}

// The analysis service has been idle for -o unload_idle: the engines'
// instances hold working memory sized by the last images they saw (tens of
// MB each), so they go, and malloc hands the freed pages back to the kernel.
void release_engine_memory() {
  auto released = analysis::release_idle_instances();
  return_free_memory();
  spdlog::debug("idle: released {} engine instances", released);
}

}  // namespace

Filesystem::Filesystem(const Options& o, analysis::AnalyzerCatalog c)
    : options_(o),
      budget_(o.max_memory),
      gate_(budget_),
      catalog_(std::move(c)),
      sidecar_analyzers_(enabled_analyzers(o, catalog_)),
      tree_(clock_, budget_, tree_options(o, sidecar_analyzers_)) {
  for (const auto& name : sidecar_analyzers_) {
    if (o.precompute_all || std::count(o.precompute.begin(), o.precompute.end(), name)) precompute_.push_back(name);
  }
  // A write that finds the budget full first drops decoded pixels that no
  // analysis reads (kept only in case another analysis of their image came).
  // Writes come from the FUSE loop, which runs only between start_threads()
  // and stop_threads().
  budget_.set_reclaimer([this](std::uint64_t) { return service_ ? service_->reclaim_decoded() : 0; });
}

Filesystem::~Filesystem() { stop_threads(); }

void Filesystem::start_threads(fuse_session* s) {
  analysis::ServiceConfig service;
  service.limits = analysis::DecodeLimits{options_.max_pixels};
  service.workers = options_.workers ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
  if (options_.unload_idle.count() > 0) service.idle = {options_.unload_idle, release_engine_memory};
  service.gate = &gate_;
  service_ = std::make_unique<analysis::AnalysisService>(std::move(service));
  notifier_ = std::make_unique<Notifier>(s);
  auto* analysis_service = service_.get();
  auto submit = [analysis_service](analysis::ImageRef image, const analysis::Analyzer* analyzer,
                                   analysis::AnalysisService::Done done, analysis::AnalysisService::Refused refused) {
    analysis_service->submit(std::move(image), analyzer, std::move(done), std::move(refused));
  };
  auto draw = [analysis_service](analysis::ImageRef image, std::uint64_t working, analysis::Drawing drawing,
                                 analysis::AnalysisService::Done done, analysis::AnalysisService::Refused refused) {
    analysis_service->submit_drawing(std::move(image), "annotated", working, std::move(drawing), std::move(done),
                                     std::move(refused));
  };
  sidecars::SchedulerConfig config{sidecar_analyzers_, precompute_, kWriteWait, draw};
  scheduler_ = std::make_unique<sidecars::Scheduler>(tree_, catalog_, submit, clock_, std::move(config));
  park_timer_ = std::make_unique<sidecars::ParkTimer>(*scheduler_, clock_);
  evictor_ = std::make_unique<Evictor>(*this, options_.mountpoint);
}

void Filesystem::stop_threads() {
  // The evictor first: it makes requests that the others would serve.
  evictor_.reset();
  service_.reset();  // finishes running analyses (they call the scheduler)
  park_timer_.reset();
  // Whatever still waits (its analysis was queued, or its image is still open
  // for writing) gets EIO now: every parked request is answered once.
  if (scheduler_) scheduler_->shutdown();
  scheduler_.reset();
  notifier_.reset();
}

void Filesystem::flush_notifications() {
  if (notifier_) notifier_->post(tree_.take_notifications());
  // Decoded pixels of a version that no longer exists are wiped now, not
  // when newer images push them out of the service's cache.
  for (const auto& [ino, version] : tree_.take_dropped_versions()) {
    if (service_) service_->forget({ino, version});
  }
}

std::optional<cache::ExpiryTarget> Filesystem::eviction_of(fuse_req_t req) const {
  return evictor_ ? evictor_->target_of(req) : std::nullopt;
}

bool Filesystem::departed_request(fuse_req_t req) const { return evictor_ && evictor_->departed_request(req); }
bool Filesystem::arrival_request(fuse_req_t req) const { return evictor_ && evictor_->arrival_request(req); }

void Filesystem::wake_evictor() {
  if (evictor_) evictor_->wake();
}

std::optional<std::string> Filesystem::evictor_probe(fuse_req_t req) const {
  return evictor_ ? evictor_->probe_answer(req) : std::nullopt;
}

}  // namespace visionfs::fs
