#pragma once
// A Tree over a FakeClock, a small budget, and a test image predicate
// (bytes starting with "IMG" are images), with helpers that keep tests short.

#include "cache/tree.h"

#include <gtest/gtest.h>
#include <fcntl.h>

#include <string>

namespace visionfs::cache {

class TreeTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kBudget = 1000;

  TreeTest() : budget_(kBudget), tree_(clock_, budget_, options()) {}

  static TreeOptions options() {
    TreeOptions o;
    o.ttl = std::chrono::seconds(60);
    o.sidecar_analyzers = {"faces", "meta"};
    o.is_image = [](std::span<const std::uint8_t> head) {
      return head.size() >= 3 && head[0] == 'I' && head[1] == 'M' && head[2] == 'G';
    };
    return o;
  }

  static std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }

  NodePtr create(Ino parent, const std::string& name, const std::string& content = "") {
    Entry e;
    OpenResult o;
    EXPECT_EQ(tree_.create(parent, name, 0644, O_CREAT | O_WRONLY, {}, &e, &o), 0) << name;
    if (!content.empty()) {
      EXPECT_EQ(tree_.write(e.node, 0, bytes(content)), 0);
    }
    tree_.release(e.node, O_WRONLY);
    return e.node;
  }

  Ino mkdir(Ino parent, const std::string& name) {
    Entry e;
    EXPECT_EQ(tree_.mkdir(parent, name, 0755, {}, &e), 0) << name;
    return e.node->ino;
  }

  std::string read_all(const NodePtr& node) {
    ReadResult r;
    EXPECT_EQ(tree_.read(node, 0, 1 << 20, &r), 0);
    return {reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size()};
  }

  // The listing, but for the directory's computed .hidden (its own tests,
  // hidden_list_test.cpp, look at it).
  std::vector<std::string> names(Ino dir) {
    std::vector<DirEntry> entries;
    Ino parent = 0;
    EXPECT_EQ(tree_.readdir(dir, &entries, &parent), 0);
    std::vector<std::string> out;
    for (const auto& e : entries) {
      if (e.name != kHiddenList) out.push_back(e.name);
    }
    return out;
  }

  FakeClock clock_;
  MemoryBudget budget_;
  Tree tree_;
};

}  // namespace visionfs::cache
