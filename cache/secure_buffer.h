#pragma once
// SecureBuffer: a growable byte buffer for user data (file contents, xattr
// values, sidecar results) that never reaches a disk through us.
//
// Owns one anonymous private mapping, marked MADV_DONTDUMP (not in core
// dumps) and mlocked when RLIMIT_MEMLOCK allows (not swapped; one warning in
// the log the first time it does not). Bytes are wiped with explicit_bzero
// when the buffer shrinks or is destroyed. Growth uses mremap, which moves
// pages instead of copying them, so no stale copy is left behind.
// Thread-safety: none; callers serialise access (the Tree mutex, or
// immutability once shared as std::shared_ptr<const SecureBuffer>).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace visionfs::cache {

class SecureBuffer {
 public:
  SecureBuffer() = default;
  explicit SecureBuffer(std::span<const std::uint8_t> bytes);
  explicit SecureBuffer(std::string_view text);
  ~SecureBuffer();
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::uint8_t* data() { return data_; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // New bytes read as zero; bytes cut off are wiped. Throws std::bad_alloc.
  void resize(std::size_t new_size);
  // Copies `bytes` at `offset`, growing (zero-filled gap) as needed.
  void write(std::size_t offset, std::span<const std::uint8_t> bytes);
  // A copy with the same contents (for copy-on-write).
  SecureBuffer clone() const;

 private:
  void grow_capacity(std::size_t needed);
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // bytes mapped; 0 means nothing mapped
  bool locked_ = false;
};

}  // namespace visionfs::cache
