#include "cache/secure_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace visionfs::cache {
namespace {

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(SecureBuffer, WritesGrowWithZeroFilledGaps) {
  SecureBuffer b;
  b.write(4, as_bytes("abc"));
  ASSERT_EQ(b.size(), 7u);
  EXPECT_EQ(std::string(b.view()), std::string("\0\0\0\0abc", 7));
}

TEST(SecureBuffer, ShrinkThenGrowReadsZeroNotOldBytes) {
  SecureBuffer b(std::string_view("secret-data"));
  b.resize(3);
  b.resize(11);
  EXPECT_EQ(std::string(b.view()), std::string("sec\0\0\0\0\0\0\0\0", 11));
}

TEST(SecureBuffer, LargeSequentialGrowthKeepsContent) {
  SecureBuffer b;
  std::vector<std::uint8_t> chunk(1 << 20);
  for (int i = 0; i < 40; ++i) {
    std::fill(chunk.begin(), chunk.end(), static_cast<std::uint8_t>(i));
    b.write(static_cast<std::size_t>(i) << 20, chunk);
  }
  ASSERT_EQ(b.size(), 40u << 20);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(b.data()[(static_cast<std::size_t>(i) << 20) + 12345], i);
  EXPECT_GE(b.capacity(), b.size());
}

TEST(SecureBuffer, CloneIsIndependent) {
  SecureBuffer a(std::string_view("hello"));
  SecureBuffer c = a.clone();
  c.write(0, as_bytes("J"));
  EXPECT_EQ(a.view(), "hello");
  EXPECT_EQ(c.view(), "Jello");
}

TEST(SecureBuffer, MoveLeavesSourceEmpty) {
  SecureBuffer a(std::string_view("x"));
  SecureBuffer b(std::move(a));
  EXPECT_EQ(b.view(), "x");
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.capacity(), 0u);
}

}  // namespace
}  // namespace visionfs::cache
