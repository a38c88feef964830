#include "sidecars/scheduler.h"

#include "sidecars/combined.h"
#include "sidecars/google_response.h"
#include "sidecars/xmp.h"
#include "sidecars/annotated.h"

#include <spdlog/spdlog.h>
#include <string.h>  // explicit_bzero

#include <atomic>
#include <cerrno>

namespace visionfs::sidecars {

struct Scheduler::Pending {
  cache::NodePtr sidecar;
  std::vector<Waiter> waiters;
  // Parked: the image was open for writing when the computation was due.
  std::optional<cache::TimePoint> parked_until;
  cache::Ino parked_on = 0;
  // Composed sidecars only (NAME.json, .xmp, .annotated.jpg): the parts of
  // its image version, how many are still out, and which round of requests
  // they answer (one failed once and asked again must not count the first
  // round's late answers).
  std::vector<cache::NodePtr> parts;
  std::size_t parts_left = 0;
  std::uint64_t round = 0;
};

namespace {
std::string counter_name(const std::string& analyzer) {
  return analyzer == cache::kCombinedSidecar ? "all" : analyzer;  // "xmp" for NAME.xmp
}
// The analyzers a composed sidecar reads: NAME.xmp all of them,
// NAME.annotated.jpg what it draws, NAME.json what Google's response holds
// (or, when none of those is offered, every analyzer, so that an image that
// cannot be read still gets its error).
std::vector<std::string> parts_of(const std::string& kind, const std::vector<std::string>& enabled) {
  if (kind == cache::kXmpSidecar) return enabled;
  const auto& wanted = kind == cache::kAnnotatedSidecar ? annotated_analyzers() : google_response_analyzers();
  std::vector<std::string> parts;
  for (const auto& name : wanted) {
    if (std::find(enabled.begin(), enabled.end(), name) != enabled.end()) parts.push_back(name);
  }
  if (parts.empty() && kind != cache::kAnnotatedSidecar) return enabled;
  return parts;
}
std::uint64_t next_round() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}
}  // namespace

Scheduler::Scheduler(cache::Tree& tree, const analysis::AnalyzerCatalog& catalog, Submit submit,
                     const cache::Clock& clock, SchedulerConfig config)
    : tree_(tree), catalog_(catalog), submit_(std::move(submit)), clock_(clock), config_(std::move(config)) {}

Scheduler::~Scheduler() { shutdown(); }

void Scheduler::request(const cache::NodePtr& sidecar, Waiter waiter) {
  Answers now;  // declared before the lock: answered after it is released
  bool first = false;
  {
    cache::MutexLock lock(mu_);
    Outcome ready;
    if (stopping_) {
      now.emplace_back(std::move(waiter), Outcome::failure(EIO));
    } else if (tree_.sidecar_attr(sidecar, &ready.attr)) {
      ready.sidecar = sidecar;
      now.emplace_back(std::move(waiter), std::move(ready));
    } else {
      auto [it, inserted] = pending_.try_emplace(sidecar->ino);
      if (inserted) it->second.sidecar = sidecar;
      if (waiter) it->second.waiters.push_back(std::move(waiter));
      first = inserted;
    }
  }
  deliver_all(now);
  if (first) dispatch_or_fail(sidecar);
}

void Scheduler::dispatch_or_fail(const cache::NodePtr& sidecar) {
  // The waiters are already stored: an exception escaping from here would
  // reach the caller's error boundary, which replies, and the stored waiter
  // would reply a second time. So every failure is an outcome instead.
  try {
    dispatch(sidecar);
  } catch (const std::bad_alloc&) {
    fail(sidecar->ino, ENOMEM);
  } catch (const std::exception& e) {
    spdlog::error("starting a sidecar computation failed: {}", e.what());
    fail(sidecar->ino, EIO);
  }
}

void Scheduler::dispatch(const cache::NodePtr& sidecar) {
  cache::SidecarSource source;
  int err = 0;
  {
    cache::MutexLock lock(mu_);
    auto it = pending_.find(sidecar->ino);
    if (it == pending_.end()) return;  // answered meanwhile (shutdown)
    source = tree_.sidecar_source(sidecar);
    if (!source.content || !source.image_linked) {
      err = ENOENT;  // removed or expired
    } else if (!source.current) {
      err = ESTALE;  // rewritten: never compute an old version from new bytes
    } else if (source.image_open_for_writing) {
      // Decided under mu_: image_closed() takes mu_ after the writer count
      // dropped, so it either sees this request parked or we saw no writer.
      it->second.parked_until = clock_.now() + config_.write_wait;
      it->second.parked_on = source.image_ino;
      return;
    }
  }
  if (err) return fail(sidecar->ino, err);
  if (cache::is_composed_sidecar(sidecar->analyzer)) return start_combined(sidecar);
  start_analysis(sidecar, source);
}

void Scheduler::start_analysis(const cache::NodePtr& sidecar, const cache::SidecarSource& source) {
  const analysis::Analyzer* analyzer = catalog_.find(sidecar->analyzer);
  if (!analyzer) return fail(sidecar->ino, ENOENT);
  {
    cache::MutexLock lock(mu_);
    counters_[sidecar->analyzer].computed++;
  }
  analysis::ImageRef image{{source.image_ino, source.image_version}, source.content, source.content->bytes()};
  submit_(
      std::move(image), analyzer,
      [this, sidecar](std::string text) {
        finish(sidecar, text);
        // The sidecar now holds its own copy, in wiped-on-free memory.
        explicit_bzero(text.data(), text.size());
      },
      [this, ino = sidecar->ino](int err) { fail(ino, err); });
}

void Scheduler::start_combined(const cache::NodePtr& combined) {
  int err = 0;
  // The parts of the same image version, taken in one step: a rewrite in
  // between would otherwise mix versions under one NAME.json inode.
  auto parts = tree_.sidecar_parts(combined, parts_of(combined->analyzer, config_.analyzers), &err);
  if (err) return fail(combined->ino, err);
  std::uint64_t round = next_round();
  {
    cache::MutexLock lock(mu_);
    auto it = pending_.find(combined->ino);
    if (it == pending_.end()) return;
    it->second.parts = parts;
    it->second.parts_left = parts.size();
    it->second.round = round;
    counters_[counter_name(combined->analyzer)].computed++;
  }
  if (parts.empty()) return compose_and_finish(combined, {}, {});
  for (std::size_t i = 0; i < parts.size(); ++i) {
    request(parts[i], Waiter([this, ino = combined->ino, i, round](const Outcome& outcome) {
              part_done(ino, i, round, outcome);
            }));
  }
}

void Scheduler::part_done(cache::Ino combined_ino, std::size_t index, std::uint64_t round, const Outcome& outcome) {
  Answers answers;
  cache::NodePtr combined;
  std::vector<cache::NodePtr> parts;
  {
    cache::MutexLock lock(mu_);
    auto it = pending_.find(combined_ino);
    // Answered already, or a late answer to an earlier round.
    if (it == pending_.end() || it->second.round != round || index >= it->second.parts.size()) return;
    if (outcome.error) {
      // NAME.json fails as its part did (ENOENT when the image is gone).
      take_locked(combined_ino, Outcome::failure(outcome.error), answers);
    } else if (--it->second.parts_left == 0) {
      combined = it->second.sidecar;
      parts = it->second.parts;
    }
  }
  deliver_all(answers);
  if (!combined) return;
  Results results;
  std::vector<Part> views;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    results.push_back(tree_.sidecar_result(parts[i]));
    if (!results.back()) return fail(combined_ino, EIO);  // cannot happen: each part answered with its result
    views.push_back({parts[i]->analyzer, results.back()->view()});
  }
  compose_and_finish(combined, views, results);
}

void Scheduler::compose_and_finish(const cache::NodePtr& composed, const std::vector<Part>& parts,
                                   const Results& results) {
  // Called from a part's waiter: an exception escaping from here would stop
  // in Waiter::deliver, and the composed sidecar's own waiters would never
  // be answered. So a failure to compose is their outcome.
  try {
    compose_or_throw(composed, parts, results);
  } catch (const std::bad_alloc&) {
    fail(composed->ino, ENOMEM);
  } catch (const std::exception& e) {
    spdlog::error("composing a sidecar failed: {}", e.what());
    fail(composed->ino, EIO);
  }
}

void Scheduler::compose_or_throw(const cache::NodePtr& composed, const std::vector<Part>& parts,
                                 const Results& results) {
  if (composed->analyzer == cache::kAnnotatedSidecar) return start_drawing(composed, parts, results);
  std::string text = composed->analyzer == cache::kXmpSidecar ? compose_xmp(parts) : compose_google_response(parts);
  finish(composed, text);
  explicit_bzero(text.data(), text.size());
}

void Scheduler::start_drawing(const cache::NodePtr& composed, const std::vector<Part>& parts,
                              const Results& results) {
  // Drawn on the pixels of the version the parts describe.
  const auto source = tree_.sidecar_source(composed);
  if (!source.current || !source.content) return fail(composed->ino, source.image_linked ? ESTALE : ENOENT);
  if (!config_.draw) return fail(composed->ino, EIO);
  analysis::ImageRef image{{source.image_ino, source.image_version}, source.content, source.content->bytes()};
  auto draw = [parts, results](const analysis::DecodedImage* decoded, const std::string& error) {
    return draw_annotated(decoded, error, parts);
  };
  config_.draw(
      std::move(image), kAnnotatedWorkingBytes, std::move(draw),
      [this, composed](std::string text) {
        finish(composed, text);
        explicit_bzero(text.data(), text.size());
      },
      [this, ino = composed->ino](int err) { fail(ino, err); });
}

void Scheduler::finish(const cache::NodePtr& sidecar, std::string_view text) {
  Outcome done;
  done.sidecar = sidecar;
  tree_.complete_sidecar(sidecar, text, &done.attr);
  Answers answers;
  {
    cache::MutexLock lock(mu_);
    take_locked(sidecar->ino, done, answers);
  }
  deliver_all(answers);
}

void Scheduler::fail(cache::Ino ino, int err) {
  Answers answers;
  {
    cache::MutexLock lock(mu_);
    take_locked(ino, Outcome::failure(err), answers);
  }
  deliver_all(answers);
}

void Scheduler::take_locked(cache::Ino ino, const Outcome& outcome, Answers& out) {
  auto it = pending_.find(ino);
  if (it == pending_.end()) return;
  for (auto& waiter : it->second.waiters) out.emplace_back(std::move(waiter), outcome);
  pending_.erase(it);
}

void Scheduler::deliver_all(Answers& answers) {
  for (auto& [waiter, outcome] : answers) waiter.deliver(outcome);
  answers.clear();
}

void Scheduler::image_closed(const cache::NodePtr& image, bool changed) {
  std::vector<cache::NodePtr> ready;
  {
    cache::MutexLock lock(mu_);
    for (auto& [ino, p] : pending_) {
      if (p.parked_until && p.parked_on == image->ino) {
        p.parked_until.reset();
        ready.push_back(p.sidecar);
      }
    }
  }
  for (const auto& sidecar : ready) dispatch_or_fail(sidecar);
  if (!changed) return;
  for (const auto& name : config_.precompute) {
    if (auto sidecar = tree_.sidecar_of(image, name)) request(sidecar, Waiter{});
  }
  // NAME.json and NAME.xmp too, once all they are made of is precomputed:
  // composing them is cheap, and a stat (tar, find -size) then sees their
  // exact size rather than the 0 of a sidecar never read.
  for (const auto& composed : {cache::kCombinedSidecar, cache::kXmpSidecar}) {
    const auto parts = parts_of(composed, config_.analyzers);
    const bool all_precomputed = std::all_of(parts.begin(), parts.end(), [&](const std::string& part) {
      return std::count(config_.precompute.begin(), config_.precompute.end(), part) > 0;
    });
    if (!all_precomputed || config_.precompute.empty()) continue;
    if (auto sidecar = tree_.sidecar_of(image, composed)) request(sidecar, Waiter{});
  }
}

std::optional<cache::TimePoint> Scheduler::expire_parked() {
  Answers answers;
  std::optional<cache::TimePoint> next;
  {
    cache::MutexLock lock(mu_);
    auto now = clock_.now();
    std::vector<cache::Ino> expired;
    for (const auto& [ino, p] : pending_) {
      if (!p.parked_until) continue;
      if (*p.parked_until <= now) expired.push_back(ino);
      else if (!next || *p.parked_until < *next) next = p.parked_until;
    }
    for (auto ino : expired) take_locked(ino, Outcome::failure(EBUSY), answers);
  }
  if (!answers.empty()) {
    spdlog::info("{} sidecar requests waited {} ms for their image to be closed after writing; answering EBUSY",
                 answers.size(), config_.write_wait.count());
  }
  deliver_all(answers);
  return next;
}

void Scheduler::shutdown() {
  Answers answers;
  {
    cache::MutexLock lock(mu_);
    stopping_ = true;
    std::vector<cache::Ino> all;
    for (const auto& [ino, p] : pending_) all.push_back(ino);
    for (auto ino : all) take_locked(ino, Outcome::failure(EIO), answers);
  }
  deliver_all(answers);
}

void Scheduler::count_hit(const std::string& analyzer) {
  cache::MutexLock lock(mu_);
  counters_[counter_name(analyzer)].hits++;
}

std::map<std::string, Counters> Scheduler::counters() const {
  cache::MutexLock lock(mu_);
  auto copy = counters_;
  for (const auto& [ino, p] : pending_) {
    for (const auto& w : p.waiters) copy[counter_name(p.sidecar->analyzer)].waiting += w ? 1 : 0;
  }
  return copy;
}

}  // namespace visionfs::sidecars
