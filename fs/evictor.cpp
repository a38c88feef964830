#include "fs/evictor.h"

#include "fs/filesystem.h"
#include "fs/notifier.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace visionfs::fs {
namespace {

// How often the evictor looks even when nothing is due: new files expire no
// earlier than one TTL from now, so this bounds how late a short TTL fires
// after the index was empty.
constexpr auto kMaxNap = std::chrono::milliseconds(250);

std::string join(const std::string& root, const std::vector<std::string>& parts) {
  std::string path = root;
  for (const auto& p : parts) path += "/" + p;
  return path;
}

}  // namespace

Evictor::Evictor(Filesystem& fs, std::string mountpoint)
    : fs_(fs), mountpoint_(std::move(mountpoint)), thread_([this] { loop(); }) {}

Evictor::~Evictor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Evictor::loop() {
  tid_ = gettid();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = fs_.clock.now();
    auto next = fs_.tree.next_expiry();
    if (next && *next <= now) {
      lock.unlock();
      evict_due();
      lock.lock();
      continue;
    }
    auto nap = kMaxNap;
    if (next) nap = std::min(nap, std::chrono::duration_cast<std::chrono::milliseconds>(*next - now) + std::chrono::milliseconds(1));
    cv_.wait_for(lock, nap);
  }
}

void Evictor::evict_due() {
  auto start = std::chrono::steady_clock::now();
  auto due = fs_.tree.expired(fs_.clock.now());
  std::size_t files = 0, dirs = 0, fallbacks = 0;
  std::uint64_t bytes = 0;
  for (const auto& entry : due) {
    std::string path = join(mountpoint_, entry.path);
    std::string dir = path.substr(0, path.rfind('/'));
    // Sidecar names first, so watchers see them go with their image.
    for (const auto& name : entry.sidecar_names) ::unlink((dir + "/" + name).c_str());
    int rc = entry.is_dir ? ::rmdir(path.c_str()) : ::unlink(path.c_str());
    if (rc == 0) {
      fs_.tree.count_eviction();
    } else if (errno != ENOTEMPTY) {
      // Renamed meanwhile (ENOENT), or a read-only directory (EACCES): take
      // it out directly, so the entry can never stay due forever.
      spdlog::debug("evicting {} through the mount failed ({}); removing it directly", path, std::strerror(errno));
      if (fs_.tree.evict(entry.ino) == 0) fallbacks++;
    }
    spdlog::debug("evicted {}", path);
    (entry.is_dir ? dirs : files)++;
    bytes += entry.bytes;
  }
  fs_.flush_notifications();
  if (files + dirs > 0) {
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    // The bytes are wiped and uncharged when the kernel forgets the inode
    // and no handle holds it open, which may be a moment later.
    spdlog::info("evicted {} files ({} bytes) and {} directories after the TTL in {:.1f} ms{}", files, bytes, dirs, ms,
                 fallbacks ? fmt::format(" ({} removed directly)", fallbacks) : "");
  }
}

}  // namespace visionfs::fs
