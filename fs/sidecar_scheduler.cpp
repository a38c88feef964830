#include "fs/sidecar_scheduler.h"

#include "fs/filesystem.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <string.h>  // explicit_bzero

namespace visionfs::fs {

SidecarScheduler::SidecarScheduler(Filesystem& fs, std::chrono::milliseconds write_wait)
    : fs_(fs), write_wait_(write_wait), timer_([this] { timer_loop(); }) {}

SidecarScheduler::~SidecarScheduler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  timer_.join();
}

void SidecarScheduler::count_hit(const std::string& analyzer) {
  std::lock_guard lock(mu_);
  counters_[analyzer.empty() ? "all" : analyzer].hits++;
}

std::map<std::string, SidecarScheduler::Counters> SidecarScheduler::counters() const {
  std::lock_guard lock(mu_);
  auto copy = counters_;
  for (const auto& [ino, p] : pending_) copy[p.sidecar->analyzer.empty() ? "all" : p.sidecar->analyzer].waiting++;
  return copy;
}

void SidecarScheduler::request(const cache::NodePtr& sidecar, Waiter waiter) {
  bool first = false;
  bool computed = false;
  {
    // Lock order: SidecarScheduler::mu_, then Tree's mutex (inside tree calls).
    std::lock_guard lock(mu_);
    computed = fs_.tree.sidecar_result(sidecar) != nullptr;  // finished meanwhile
    if (!computed) {
      auto [it, inserted] = pending_.try_emplace(sidecar->ino);
      if (inserted) it->second.sidecar = sidecar;
      it->second.waiters.push_back(std::move(waiter));
      first = inserted;
    }
  }
  if (computed) {
    struct stat attr {};
    fs_.tree.getattr(sidecar->ino, &attr);
    answer(waiter, sidecar, attr);
  } else if (first) {
    dispatch(sidecar);
  }
}

void SidecarScheduler::dispatch(const cache::NodePtr& sidecar) {
  auto source = fs_.tree.sidecar_source(sidecar);
  if (!source.content) {
    fail(sidecar->ino, ENOENT);  // the image is gone
    return;
  }
  if (!source.current) {
    // Never compute a stale version from the current bytes (a mix of
    // versions). The kernel was told to drop the name, and the VFS retries an
    // open that fails with ESTALE with a fresh lookup, which finds the
    // current version's sidecar.
    fail(sidecar->ino, ESTALE);
    return;
  }
  if (source.image_open_for_writing) {
    // Never analyse bytes that are still being written: wait for the close.
    std::lock_guard lock(mu_);
    auto it = pending_.find(sidecar->ino);
    if (it != pending_.end()) {
      it->second.parked_until = std::chrono::steady_clock::now() + write_wait_;
      it->second.image = source.image_ino;
    }
    cv_.notify_all();
    return;
  }
  if (sidecar->analyzer.empty()) {
    dispatch_combined(sidecar);
    return;
  }
  const analysis::Analyzer* analyzer = fs_.catalog.find(sidecar->analyzer);
  if (!analyzer) {
    fail(sidecar->ino, ENOENT);
    return;
  }
  {
    std::lock_guard lock(mu_);
    counters_[sidecar->analyzer].computed++;
  }
  analysis::ImageRef image{{source.image_ino, source.image_version}, source.content, source.content->bytes()};
  fs_.service->submit(std::move(image), analyzer, [this, sidecar](std::string text) {
    finish(sidecar, text);
    // The sidecar now holds its own copy, in wiped-on-free memory.
    explicit_bzero(text.data(), text.size());
  });
}

void SidecarScheduler::dispatch_combined(const cache::NodePtr& combined) {
  auto image = combined->image.lock();
  std::vector<cache::NodePtr> parts;
  for (const auto& name : fs_.sidecar_analyzers) {
    auto part = image ? fs_.tree.sidecar_of(image, name) : nullptr;
    if (!part) {
      fail(combined->ino, ENOENT);
      return;
    }
    parts.push_back(part);
  }
  {
    std::lock_guard lock(mu_);
    counters_["all"].computed++;
  }
  for (const auto& part : parts) {
    if (!fs_.tree.sidecar_result(part)) {
      Waiter w;
      w.want = Want::kCombinedPart;
      w.combined = combined->ino;
      request(part, std::move(w));
    }
  }
  try_compose(combined->ino);
}

void SidecarScheduler::try_compose(cache::Ino combined_ino) {
  cache::NodePtr combined;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(combined_ino);
    if (it == pending_.end()) return;
    combined = it->second.sidecar;
  }
  auto image = combined->image.lock();
  if (!image) return;
  nlohmann::json all = nlohmann::json::object();
  std::optional<nlohmann::json> shared_error;
  bool every_part_failed = true;
  for (const auto& name : fs_.sidecar_analyzers) {
    auto part = fs_.tree.sidecar_of(image, name);
    auto result = part ? fs_.tree.sidecar_result(part) : nullptr;
    if (!result) return;  // not all parts are in yet
    auto parsed = nlohmann::json::parse(result->view(), nullptr, false);
    if (parsed.contains("error")) {
      if (!shared_error) shared_error = parsed["error"];
    } else {
      every_part_failed = false;
    }
    all[name] = std::move(parsed);
  }
  // Like Google's AnnotateImageResponse: an image that could not be read at
  // all has one top-level error.
  if (every_part_failed && shared_error) all["error"] = *shared_error;
  std::string text = all.dump(2) + "\n";
  finish(combined, text);
  explicit_bzero(text.data(), text.size());
}

void SidecarScheduler::finish(const cache::NodePtr& sidecar, const std::string& text) {
  struct stat attr {};
  fs_.tree.complete_sidecar(sidecar, text, &attr);
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(sidecar->ino);
    if (it != pending_.end()) {
      waiters = std::move(it->second.waiters);
      pending_.erase(it);
    }
  }
  for (auto& w : waiters) answer(w, sidecar, attr);
}

void SidecarScheduler::fail(cache::Ino ino, int err) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(ino);
    if (it == pending_.end()) return;
    waiters = std::move(it->second.waiters);
    pending_.erase(it);
  }
  for (auto& w : waiters) {
    if (w.want == Want::kCombinedPart) {
      fail(w.combined, err);
    } else if (w.req) {
      fuse_reply_err(w.req, err);
    }
  }
}

void SidecarScheduler::answer(Waiter& w, const cache::NodePtr& sidecar, const struct stat& attr) {
  switch (w.want) {
    case Want::kNone:
      return;
    case Want::kCombinedPart:
      try_compose(w.combined);
      return;
    case Want::kAttr:
      fuse_reply_attr(w.req, &attr, kSidecarTimeout);
      return;
    case Want::kOpen: {
      cache::OpenResult opened;
      if (int err = fs_.tree.open(sidecar, w.fi.flags, &opened)) {
        fuse_reply_err(w.req, err);
        return;
      }
      w.fi.fh = fs_.files.add(std::make_shared<FileHandle>(FileHandle{sidecar, w.fi.flags, nullptr, 0}));
      w.fi.keep_cache = 1;  // immutable for its inode
      w.fi.direct_io = 0;
      if (fuse_reply_open(w.req, &w.fi) != 0) fs_.files.remove(w.fi.fh);
      return;
    }
  }
}

void SidecarScheduler::image_closed(const cache::NodePtr& image, bool changed) {
  std::vector<cache::NodePtr> ready;
  {
    std::lock_guard lock(mu_);
    for (auto& [ino, p] : pending_) {
      if (p.parked_until && p.image == image->ino) {
        p.parked_until.reset();
        ready.push_back(p.sidecar);
      }
    }
  }
  for (const auto& sidecar : ready) dispatch(sidecar);
  if (!changed) return;
  for (const auto& name : fs_.precompute) {
    if (auto sidecar = fs_.tree.sidecar_of(image, name); sidecar && !fs_.tree.sidecar_result(sidecar)) {
      request(sidecar, Waiter{});
    }
  }
}

void SidecarScheduler::timer_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    std::vector<cache::Ino> expired;
    for (const auto& [ino, p] : pending_) {
      if (!p.parked_until) continue;
      if (*p.parked_until <= now) expired.push_back(ino);
      else next = std::min(next, *p.parked_until);
    }
    if (!expired.empty()) {
      lock.unlock();
      for (auto ino : expired) {
        spdlog::info("a sidecar waited {} ms for its image to be closed after writing; answering EBUSY",
                     write_wait_.count());
        fail(ino, EBUSY);
      }
      lock.lock();
      continue;
    }
    cv_.wait_until(lock, next);
  }
}

}  // namespace visionfs::fs
