#include "fs/evictor.h"

#include "fs/allocator.h"

#include "fs/filesystem.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
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

// Departed and arrived names wait for this much quiet after the last change
// that queued some. While a batch runs, this thread holds the mountpoint
// open, and an unmount then fails with EBUSY: a script that renames or
// copies and unmounts right away (measured: 14 of 20 `mv; fusermount3 -u`
// failed when the batch ran at once) must find the mount idle.
constexpr auto kWatcherQuiet = std::chrono::seconds(1);

std::string relative(const std::vector<std::string>& parts, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count; ++i) path += (i ? "/" : "") + parts[i];
  return path;
}

}  // namespace

struct Evictor::Tally {
  std::size_t files = 0, dirs = 0, direct = 0, kept = 0;
  std::uint64_t bytes = 0;
};

Evictor::Evictor(Filesystem& fs, std::string mountpoint) : fs_(fs), mountpoint_(std::move(mountpoint)) {
  if (getrandom(nonce_.data(), nonce_.size(), 0) != static_cast<ssize_t>(nonce_.size())) {
    throw std::runtime_error("getrandom failed");
  }
  thread_ = std::thread([this] { loop(); });
}

Evictor::~Evictor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool Evictor::from_this_thread(fuse_req_t req) const {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  return ctx && tid_.load() != 0 && ctx->pid == tid_.load();
}

std::optional<cache::ExpiryTarget> Evictor::target_of(fuse_req_t req) const {
  if (!from_this_thread(req)) return std::nullopt;
  std::lock_guard lock(target_mu_);
  return target_;
}

std::optional<std::string> Evictor::probe_answer(fuse_req_t req) const {
  if (!from_this_thread(req)) return std::nullopt;
  return std::string(nonce_.data(), nonce_.size());
}

bool Evictor::departed_request(fuse_req_t req) const { return departing_.load() && from_this_thread(req); }
bool Evictor::arrival_request(fuse_req_t req) const { return announcing_.load() && from_this_thread(req); }

void Evictor::wake() {
  std::lock_guard lock(mu_);
  quiet_until_ = std::chrono::steady_clock::now() + kWatcherQuiet;
}

void Evictor::loop() {
  tid_ = gettid();
  for (;;) {
    if (watcher_batch_due()) {
      unlink_departed();
      announce_arrived();
    }
    // No lock of ours is held across the tree calls or the evictions.
    auto now = fs_.clock().now();
    auto next = fs_.tree().next_expiry();
    if (next && *next <= now) {
      evict_due();
      continue;
    }
    auto nap = kMaxNap;
    if (next) nap = std::min(nap, std::chrono::duration_cast<std::chrono::milliseconds>(*next - now) + std::chrono::milliseconds(1));
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, nap, [&] { return stopping_; })) return;
  }
}

int Evictor::open_own_mount() const {
  int fd = ::open(mountpoint_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  std::array<char, 32> answer{};
  ssize_t n = fgetxattr(fd, kEvictorProbeXattr, answer.data(), answer.size());
  if (n != static_cast<ssize_t>(answer.size()) || answer != nonce_) {
    // Not our mount (lazily unmounted, or something mounted over it).
    ::close(fd);
    return -1;
  }
  return fd;
}

void Evictor::evict_one(int root, const cache::ExpiredEntry& entry, Tally& tally) {
  cache::ExpiryTarget target{entry.ino, entry.changed};
  int err = ENOTCONN;
  if (root >= 0) {
    {
      std::lock_guard lock(target_mu_);
      target_ = target;
    }
    std::string dir = relative(entry.path, entry.path.size() - 1);
    // Sidecar names first, so watchers see them go with their image.
    for (const auto& name : entry.sidecar_names) ::unlinkat(root, (dir.empty() ? name : dir + "/" + name).c_str(), 0);
    std::string path = relative(entry.path, entry.path.size());
    int rc = ::unlinkat(root, path.c_str(), entry.is_dir ? AT_REMOVEDIR : 0);
    err = rc == 0 ? 0 : errno;
    std::lock_guard lock(target_mu_);
    target_.reset();
  }
  if (err == ESTALE || err == ENOTEMPTY) {
    tally.kept++;  // renewed or replaced since it expired, or no longer empty
    return;
  }
  if (err != 0) {
    // Renamed meanwhile (ENOENT), a read-only directory (EACCES), or the
    // mount unreachable: take it out directly, so it never stays due forever.
    err = fs_.tree().evict(target);
    if (err != 0) return;  // gone already, or renewed: nothing was removed
    tally.direct++;
  } else {
    fs_.tree().count_eviction();
  }
  (entry.is_dir ? tally.dirs : tally.files)++;
  tally.bytes += entry.bytes;
}

bool Evictor::watcher_batch_due() {
  std::lock_guard lock(mu_);
  return std::chrono::steady_clock::now() >= quiet_until_;
}

void Evictor::on_own_mount(const std::vector<cache::DepartedName>& names, std::atomic<bool>& mode,
                           const std::function<void(int root, const std::string& path)>& call) {
  if (names.empty()) return;
  if (int root = open_own_mount(); root >= 0) {
    mode = true;  // the handlers answer these requests from the departed or arrived set
    for (const auto& d : names) {
      const std::string dir = relative(d.dir_path, d.dir_path.size());
      call(root, dir.empty() ? d.name : dir + "/" + d.name);
    }
    mode = false;
    ::close(root);
  }
}

void Evictor::unlink_departed() {
  const auto names = fs_.tree().departed();
  on_own_mount(names, departing_, [](int root, const std::string& path) { ::unlinkat(root, path.c_str(), 0); });
  fs_.tree().forget_departed(names);  // what could not be unlinked is not retried
}

void Evictor::announce_arrived() {
  const auto names = fs_.tree().arrived();
  on_own_mount(names, announcing_,
               [](int root, const std::string& path) { ::mknodat(root, path.c_str(), S_IFREG | 0444, 0); });
  fs_.tree().forget_arrived(names);
  // Names of images copied into a directory still being filled wait for it
  // to go quiet (cache::kNameQuiet): another batch, a quiet period later.
  if (fs_.tree().arrivals_waiting()) wake();
}

void Evictor::evict_due() {
  auto start = std::chrono::steady_clock::now();
  auto due = fs_.tree().expired(fs_.clock().now());
  if (due.empty()) return;
  int root = open_own_mount();
  Tally tally;
  for (const auto& entry : due) evict_one(root, entry, tally);
  if (root >= 0) ::close(root);
  fs_.flush_notifications();
  if (tally.files + tally.dirs == 0) return;
  // Hand freed heap back to the system: after a burst of large images the
  // allocator would otherwise keep hundreds of MB that no file uses.
  return_free_memory();
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // The bytes are wiped and uncharged when the kernel forgets the inode and
  // no handle holds it open, which may be a moment later.
  spdlog::info("evicted {} files ({} bytes) and {} directories after the TTL in {:.1f} ms{}{}", tally.files,
               tally.bytes, tally.dirs, ms,
               tally.direct ? fmt::format(" ({} removed directly)", tally.direct) : "",
               root < 0 ? " (the mount was not reachable)" : "");
}

}  // namespace visionfs::fs
