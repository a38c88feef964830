#include "fs/control_snapshots.h"

namespace visionfs::fs {

std::shared_ptr<const ControlRendering> ControlSnapshots::record(int which, std::shared_ptr<const std::string> text) {
  auto rendering = std::make_shared<ControlRendering>();
  rendering->text = std::move(text);
  clock_gettime(CLOCK_REALTIME, &rendering->made);
  cache::MutexLock lock(mu_);
  last_[which] = rendering;
  last_at_[which] = std::chrono::steady_clock::now();
  return rendering;
}

std::shared_ptr<const ControlRendering> ControlSnapshots::recent(int which) const {
  cache::MutexLock lock(mu_);
  if (!last_[which] || std::chrono::steady_clock::now() - last_at_[which] >= kReuse) return nullptr;
  return last_[which];
}

}  // namespace visionfs::fs
