#include "cache/secure_buffer.h"

#include <spdlog/spdlog.h>
#include <string.h>  // explicit_bzero
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>
#include <utility>

namespace visionfs::cache {
namespace {

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// mlock fails once RLIMIT_MEMLOCK is used up (64 KiB to 8 MiB for ordinary
// users). That must not fail the write, so it is a one-time warning.
void warn_unlocked_once(int err) {
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true)) {
    spdlog::warn("mlock failed ({}): file data may be swapped; raise RLIMIT_MEMLOCK (ulimit -l) to keep it in RAM",
                 std::strerror(err));
  }
}

bool try_lock(void* address, std::size_t length) {
  if (mlock(address, length) == 0) return true;
  warn_unlocked_once(errno);
  return false;
}

}  // namespace

SecureBuffer::SecureBuffer(std::span<const std::uint8_t> bytes) { write(0, bytes); }

SecureBuffer::SecureBuffer(std::string_view text)
    : SecureBuffer(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())) {}

SecureBuffer::~SecureBuffer() { release(); }

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      locked_(std::exchange(other.locked_, false)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    locked_ = std::exchange(other.locked_, false);
  }
  return *this;
}

void SecureBuffer::release() noexcept {
  if (capacity_ == 0) return;
  // Only [0, size_) can hold data: the rest was never written or was wiped
  // when the buffer shrank.
  explicit_bzero(data_, size_);
  if (locked_) munlock(data_, capacity_);
  munmap(data_, capacity_);
  data_ = nullptr;
  size_ = capacity_ = 0;
  locked_ = false;
}

void SecureBuffer::grow_capacity(std::size_t needed) {
  if (needed <= capacity_) return;
  // Grow by at least 1/4 so a sequential writer costs amortised O(1) remaps,
  // but never more than 64 MiB of slack.
  std::size_t target = std::max(needed, capacity_ + std::min(capacity_ / 4, std::size_t{64} << 20));
  target = round_up(target, page_size());
  if (capacity_ == 0) {
    void* p = mmap(nullptr, target, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, target, MADV_DONTDUMP);
    data_ = static_cast<std::uint8_t*>(p);
    capacity_ = target;
    locked_ = try_lock(p, target);
    return;
  }
  void* p = mremap(data_, capacity_, target, MREMAP_MAYMOVE);
  if (p == MAP_FAILED && locked_ && errno == EAGAIN) {
    // The locked total would pass RLIMIT_MEMLOCK: keep the data, drop the lock.
    munlock(data_, capacity_);
    locked_ = false;
    warn_unlocked_once(EAGAIN);
    p = mremap(data_, capacity_, target, MREMAP_MAYMOVE);
  }
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<std::uint8_t*>(p);
  // MADV_DONTDUMP and mlock follow the pages through mremap; the new tail
  // needs them too.
  madvise(data_ + capacity_, target - capacity_, MADV_DONTDUMP);
  if (locked_ && mlock(data_ + capacity_, target - capacity_) != 0) {
    munlock(data_, capacity_);
    locked_ = false;
    warn_unlocked_once(errno);
  }
  capacity_ = target;
}

void SecureBuffer::resize(std::size_t new_size) {
  if (new_size > size_) {
    grow_capacity(new_size);  // fresh pages are zero; wiped tails are zero
  } else if (new_size < size_) {
    explicit_bzero(data_ + new_size, size_ - new_size);
  }
  size_ = new_size;
}

void SecureBuffer::write(std::size_t offset, std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (offset + bytes.size() > size_) resize(offset + bytes.size());
  std::memcpy(data_ + offset, bytes.data(), bytes.size());
}

SecureBuffer SecureBuffer::clone() const {
  SecureBuffer copy;
  copy.write(0, bytes());
  return copy;
}

}  // namespace visionfs::cache
