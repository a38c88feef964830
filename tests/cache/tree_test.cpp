// The Tree as a filesystem: files, directories, rename, budget, xattrs.

#include "tree_fixture.h"

#include <linux/fs.h>
#include <sys/xattr.h>

namespace visionfs::cache {
namespace {

TEST_F(TreeTest, CreateWriteReadBack) {
  auto f = create(kRootIno, "a.bin", "hello world");
  EXPECT_EQ(read_all(f), "hello world");
  struct stat st {};
  ASSERT_EQ(tree_.getattr(f->ino, &st), 0);
  EXPECT_EQ(st.st_size, 11);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(budget_.used(), 11u);
}

TEST_F(TreeTest, LookupFindsWhatWasCreatedAndNothingElse) {
  create(kRootIno, "a.bin", "x");
  Entry e;
  EXPECT_EQ(tree_.lookup(kRootIno, "a.bin", &e), 0);
  EXPECT_EQ(e.attr.st_size, 1);
  EXPECT_EQ(tree_.lookup(kRootIno, "b.bin", &e), ENOENT);
  EXPECT_EQ(tree_.lookup(e.node->ino, "x", &e), ENOTDIR);
}

TEST_F(TreeTest, ExclusiveCreateOfExistingFails) {
  create(kRootIno, "a.bin");
  Entry e;
  OpenResult o;
  EXPECT_EQ(tree_.create(kRootIno, "a.bin", 0644, O_CREAT | O_EXCL | O_WRONLY, {}, &e, &o), EEXIST);
}

TEST_F(TreeTest, OpenWithTruncEmptiesAndReleasesBudget) {
  auto f = create(kRootIno, "a.bin", "0123456789");
  OpenResult o;
  ASSERT_EQ(tree_.open(f, O_WRONLY | O_TRUNC, &o), 0);
  tree_.release(f, O_WRONLY);
  EXPECT_EQ(read_all(f), "");
  EXPECT_EQ(budget_.used(), 0u);
}

TEST_F(TreeTest, WriteBeyondBudgetIsEnospcAndChangesNothing) {
  auto a = create(kRootIno, "a.bin", std::string(900, 'a'));
  auto b = create(kRootIno, "b.bin");
  EXPECT_EQ(tree_.write(b, 0, bytes(std::string(101, 'b'))), ENOSPC);
  EXPECT_EQ(read_all(b), "");
  EXPECT_EQ(read_all(a), std::string(900, 'a'));
  EXPECT_EQ(tree_.write(b, 0, bytes(std::string(100, 'b'))), 0);
  EXPECT_EQ(budget_.used(), kBudget);
}

TEST_F(TreeTest, TruncateGrowsWithZerosAndShrinks) {
  auto f = create(kRootIno, "a.bin", "abc");
  struct stat st {};
  SetAttr grow;
  grow.size = 6;
  ASSERT_EQ(tree_.setattr(f->ino, grow, {}, &st), 0);
  EXPECT_EQ(read_all(f), std::string("abc\0\0\0", 6));
  SetAttr shrink;
  shrink.size = 1;
  ASSERT_EQ(tree_.setattr(f->ino, shrink, {}, &st), 0);
  EXPECT_EQ(read_all(f), "a");
  EXPECT_EQ(budget_.used(), 1u);
}

TEST_F(TreeTest, ReaderSnapshotSurvivesAConcurrentWrite) {
  auto f = create(kRootIno, "a.bin", "before");
  ReadResult r;
  ASSERT_EQ(tree_.read(f, 0, 100, &r), 0);
  ASSERT_EQ(tree_.write(f, 0, bytes("AFTER!")), 0);
  // Copy on write: what a reply is sending never changes under it.
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size()), "before");
  EXPECT_EQ(read_all(f), "AFTER!");
}

TEST_F(TreeTest, DirectoriesNestAndRmdirNeedsEmpty) {
  Ino d = mkdir(kRootIno, "album");
  Ino sub = mkdir(d, "2024");
  create(sub, "x.bin", "x");
  EXPECT_EQ(tree_.rmdir(kRootIno, "album"), ENOTEMPTY);
  EXPECT_EQ(tree_.unlink(kRootIno, "album"), EISDIR);
  EXPECT_EQ(tree_.unlink(sub, "x.bin"), 0);
  EXPECT_EQ(tree_.rmdir(d, "2024"), 0);
  EXPECT_EQ(tree_.rmdir(kRootIno, "album"), 0);
  EXPECT_EQ(tree_.rmdir(kRootIno, "album"), ENOENT);
  Entry e;
  EXPECT_EQ(tree_.mkdir(kRootIno, "a", 0755, {}, &e), 0);
  EXPECT_EQ(tree_.mkdir(kRootIno, "a", 0755, {}, &e), EEXIST);
}

TEST_F(TreeTest, RenameReplacesAndHonoursFlags) {
  create(kRootIno, "a", "A");
  create(kRootIno, "b", "B");
  EXPECT_EQ(tree_.rename(kRootIno, "a", kRootIno, "b", RENAME_NOREPLACE), EEXIST);
  EXPECT_EQ(tree_.rename(kRootIno, "a", kRootIno, "b", RENAME_EXCHANGE), 0);
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "b", &e), 0);
  EXPECT_EQ(read_all(e.node), "A");
  EXPECT_EQ(tree_.rename(kRootIno, "b", kRootIno, "a", 0), 0);  // replaces
  EXPECT_EQ(names(kRootIno), std::vector<std::string>{"a"});
  ASSERT_EQ(tree_.lookup(kRootIno, "a", &e), 0);
  EXPECT_EQ(read_all(e.node), "A");
  EXPECT_EQ(budget_.used(), 1u);  // the replaced file's bytes are gone
  EXPECT_EQ(tree_.rename(kRootIno, "missing", kRootIno, "x", 0), ENOENT);
  EXPECT_EQ(tree_.rename(kRootIno, "a", kRootIno, "nope", RENAME_EXCHANGE), ENOENT);
  EXPECT_EQ(tree_.rename(kRootIno, "a", kRootIno, "x", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
}

TEST_F(TreeTest, RenameChecksKindsAndLoops) {
  Ino d = mkdir(kRootIno, "d");
  Ino inner = mkdir(d, "inner");
  create(kRootIno, "f");
  mkdir(kRootIno, "full");
  Entry full;
  ASSERT_EQ(tree_.lookup(kRootIno, "full", &full), 0);
  create(full.node->ino, "x");
  EXPECT_EQ(tree_.rename(kRootIno, "d", inner, "d2", 0), EINVAL);
  EXPECT_EQ(tree_.rename(kRootIno, "f", kRootIno, "d", 0), EISDIR);
  EXPECT_EQ(tree_.rename(kRootIno, "d", kRootIno, "f", 0), ENOTDIR);
  EXPECT_EQ(tree_.rename(kRootIno, "d", kRootIno, "full", 0), ENOTEMPTY);
}

TEST_F(TreeTest, UnlinkedOpenFileStaysReadableUntilForgotten) {
  auto f = create(kRootIno, "a.bin", "still here");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.bin", &e), 0);
  tree_.ref(e.node);
  ASSERT_EQ(tree_.unlink(kRootIno, "a.bin"), 0);
  EXPECT_EQ(read_all(f), "still here");
  EXPECT_NE(tree_.find(f->ino), nullptr);  // the kernel still refers to it
  EXPECT_EQ(budget_.used(), 10u);          // uncharged when it is really gone
  tree_.forget(f->ino, 1);
  EXPECT_EQ(tree_.find(f->ino), nullptr);
  f.reset();
  e.node.reset();
  EXPECT_EQ(budget_.used(), 0u);
}

TEST_F(TreeTest, XattrsFollowLinuxSemantics) {
  auto f = create(kRootIno, "a.bin");
  std::vector<std::uint8_t> value;
  EXPECT_EQ(tree_.getxattr(f->ino, "user.xdg.tags", &value), ENODATA);
  EXPECT_EQ(tree_.setxattr(f->ino, "user.xdg.tags", bytes("beach,2024"), 0), 0);
  EXPECT_EQ(tree_.setxattr(f->ino, "user.xdg.tags", bytes("x"), XATTR_CREATE), EEXIST);
  EXPECT_EQ(tree_.setxattr(f->ino, "user.other", bytes("x"), XATTR_REPLACE), ENODATA);
  EXPECT_EQ(tree_.setxattr(f->ino, "security.selinux", bytes("x"), 0), ENOTSUP);
  ASSERT_EQ(tree_.getxattr(f->ino, "user.xdg.tags", &value), 0);
  EXPECT_EQ(std::string(value.begin(), value.end()), "beach,2024");
  std::vector<std::string> list;
  ASSERT_EQ(tree_.listxattr(f->ino, &list), 0);
  EXPECT_EQ(list, std::vector<std::string>{"user.xdg.tags"});
  EXPECT_GT(budget_.used(), 0u);
  EXPECT_EQ(tree_.removexattr(f->ino, "user.xdg.tags"), 0);
  EXPECT_EQ(tree_.removexattr(f->ino, "user.xdg.tags"), ENODATA);
  EXPECT_EQ(budget_.used(), 0u);
}

TEST_F(TreeTest, ChownNeedsRootButOwnerMayChmod) {
  Entry e;
  OpenResult o;
  ASSERT_EQ(tree_.create(kRootIno, "f", 0644, O_CREAT | O_RDONLY, Caller{1000, 1000}, &e, &o), 0);
  struct stat st {};
  SetAttr give;
  give.uid = 0;
  EXPECT_EQ(tree_.setattr(e.node->ino, give, Caller{1000, 1000}, &st), EPERM);
  EXPECT_EQ(tree_.setattr(e.node->ino, give, Caller{0, 0}, &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  SetAttr mode;
  mode.mode = 0600;
  EXPECT_EQ(tree_.setattr(e.node->ino, mode, Caller{1000, 1000}, &st), EPERM);  // no longer the owner
  EXPECT_EQ(tree_.setattr(e.node->ino, mode, Caller{0, 0}, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace visionfs::cache
