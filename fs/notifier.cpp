#include "fs/notifier.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace visionfs::fs {

Notifier::Notifier(fuse_session* session) : session_(session), thread_([this] { loop(); }) {}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Notifier::post(std::vector<cache::Notification> notifications) {
  if (notifications.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (auto& n : notifications) queue_.push_back(std::move(n));
  }
  cv_.notify_one();
}

void Notifier::loop() {
  for (;;) {
    cache::Notification n;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      n = std::move(queue_.front());
      queue_.pop_front();
    }
    int rc = 0;
    if (n.type == cache::Notification::Type::kInvalEntry) {
      rc = fuse_lowlevel_notify_inval_entry(session_, n.parent, n.name.c_str(), n.name.size());
    } else {
      rc = fuse_lowlevel_notify_inval_inode(session_, n.ino, 0, 0);
    }
    // ENOENT: the kernel had nothing cached, which is fine. ENOTCONN: the
    // filesystem is being unmounted.
    if (rc != 0 && rc != -ENOENT && rc != -ENOTCONN) {
      spdlog::warn("kernel cache notification failed: {}", std::strerror(-rc));
    }
  }
}

}  // namespace visionfs::fs
