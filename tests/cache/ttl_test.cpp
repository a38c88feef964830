// Time to live, driven by a FakeClock: no test sleeps.

#include "tree_fixture.h"

namespace visionfs::cache {
namespace {

using std::chrono::seconds;

std::vector<Ino> expired_inos(const Tree& tree, TimePoint now) {
  std::vector<Ino> out;
  for (const auto& e : tree.expired(now)) out.push_back(e.ino);
  return out;
}

TEST_F(TreeTest, FileExpiresOneTtlAfterItsLastChange) {
  auto f = create(kRootIno, "a.bin", "x");
  clock_.advance(seconds(59));
  EXPECT_TRUE(tree_.expired(clock_.now()).empty());
  clock_.advance(seconds(1));
  EXPECT_EQ(expired_inos(tree_, clock_.now()), std::vector<Ino>{f->ino});
  auto due = tree_.expired(clock_.now());
  EXPECT_EQ(due[0].path, std::vector<std::string>{"a.bin"});
  EXPECT_FALSE(due[0].is_dir);
}

TEST_F(TreeTest, ReadingDoesNotExtendTheTtlButWritingDoes) {
  auto f = create(kRootIno, "a.bin", "x");
  clock_.advance(seconds(50));
  read_all(f);
  clock_.advance(seconds(10));
  EXPECT_EQ(tree_.expired(clock_.now()).size(), 1u);  // the read did not count

  auto g = create(kRootIno, "b.bin", "x");
  clock_.advance(seconds(50));
  ASSERT_EQ(tree_.write(g, 1, bytes("y")), 0);
  clock_.advance(seconds(59));
  EXPECT_EQ(expired_inos(tree_, clock_.now()), std::vector<Ino>{f->ino});
  clock_.advance(seconds(1));
  EXPECT_EQ(tree_.expired(clock_.now()).size(), 2u);
}

TEST_F(TreeTest, RenameAndSetattrTimesDoNotRestartTheTtl) {
  create(kRootIno, "a.bin", "x");
  Ino d = mkdir(kRootIno, "d");
  clock_.advance(seconds(30));
  ASSERT_EQ(tree_.rename(kRootIno, "a.bin", d, "b.bin", 0), 0);
  Entry e;
  ASSERT_EQ(tree_.lookup(d, "b.bin", &e), 0);
  struct stat st {};
  SetAttr old_mtime;  // what rsync -a does: an mtime years in the past
  old_mtime.mtime = timespec{1000, 0};
  ASSERT_EQ(tree_.setattr(e.node->ino, old_mtime, {}, &st), 0);
  EXPECT_TRUE(tree_.expired(clock_.now()).empty());  // not expired by its old mtime
  clock_.advance(seconds(30));
  auto due = tree_.expired(clock_.now());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].path, (std::vector<std::string>{"d", "b.bin"}));
}

TEST_F(TreeTest, EmptyDirectoryExpiresOneTtlAfterItsLastChange) {
  Ino d = mkdir(kRootIno, "album");
  create(d, "x.bin", "x");
  clock_.advance(seconds(60));
  auto due = tree_.expired(clock_.now());
  ASSERT_EQ(due.size(), 1u);  // the file; the directory is not empty
  EXPECT_FALSE(due[0].is_dir);
  ASSERT_EQ(tree_.evict({due[0].ino, due[0].changed}), 0);
  EXPECT_TRUE(tree_.expired(clock_.now()).empty());  // emptying it was a change
  clock_.advance(seconds(60));
  due = tree_.expired(clock_.now());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].is_dir);
  EXPECT_EQ(due[0].ino, d);
}

TEST_F(TreeTest, RootNeverExpires) {
  clock_.advance(std::chrono::hours(1000));
  EXPECT_TRUE(tree_.expired(clock_.now()).empty());
  EXPECT_FALSE(tree_.next_expiry().has_value());
}

TEST_F(TreeTest, NextExpiryIsTheEarliest) {
  auto start = clock_.now();
  create(kRootIno, "a", "x");
  clock_.advance(seconds(5));
  create(kRootIno, "b", "x");
  ASSERT_TRUE(tree_.next_expiry().has_value());
  EXPECT_EQ(*tree_.next_expiry(), start + seconds(60));
}

TEST_F(TreeTest, EvictRemovesAndTellsTheKernel) {
  auto f = create(kRootIno, "a.bin", "x");
  clock_.advance(seconds(60));
  tree_.take_notifications();
  ASSERT_EQ(tree_.evict({f->ino, f->changed}), 0);
  EXPECT_TRUE(names(kRootIno).empty());
  auto notes = tree_.take_notifications();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].type, Notification::Type::kInvalEntry);
  EXPECT_EQ(notes[0].name, "a.bin");
  EXPECT_EQ(notes[1].type, Notification::Type::kInvalInode);
  EXPECT_EQ(tree_.evict({f->ino, f->changed}), ENOENT);
  EXPECT_EQ(tree_.stats().evictions, 1u);
}

}  // namespace
}  // namespace visionfs::cache
