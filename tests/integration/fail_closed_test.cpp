// Failing closed: a daemon killed without warning (kill -9, the OOM killer)
// must not turn the mountpoint back into a plain directory, or a program
// still writing by path puts the user's images on disk. Without
// auto_unmount the dead mount answers ENOTCONN until the user unmounts it.

#include "integration/command.h"
#include "integration/mount_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

namespace visionfs::itest {
namespace {

constexpr const char* kPhoto = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg";

TEST(FailClosed, AKilledDaemonLeavesADeadMountThatRefusesWritesUntilUnmounted) {
  char dir_template[] = "/tmp/visionfs-dead-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string mnt = dir_template;
  pid_t pid = spawn({VISIONFS_BINARY, "-f", "-o", "ttl=1h", mnt}, -1);
  ASSERT_TRUE(poll_until([&] { return mount_fstype(mnt) == std::string("fuse.visionfs"); }, std::chrono::seconds(10)));
  EXPECT_TRUE(succeeded(run(std::string("cp ") + kPhoto + " " + shell_quote(mnt) + "/")));

  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // The kernel keeps the mount; every access fails instead of reaching the disk.
  EXPECT_EQ(mount_fstype(mnt), std::string("fuse.visionfs"));
  auto write = run(std::string("cp ") + kPhoto + " " + shell_quote(mnt) + "/again.jpg");
  EXPECT_NE(write.status, 0);
  EXPECT_NE(write.err.find("not connected"), std::string::npos) << write.describe();

  // The recovery the README gives.
  EXPECT_TRUE(succeeded(run("fusermount3 -u " + shell_quote(mnt))));
  EXPECT_FALSE(mount_fstype(mnt).has_value());
  EXPECT_EQ(run("ls -A " + shell_quote(mnt)).out, "") << "nothing reached the directory underneath";
  run("rm -rf " + shell_quote(mnt));
}

TEST(FailClosed, AutoUnmountRemainsAvailableOnRequest) {
  char dir_template[] = "/tmp/visionfs-auto-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string mnt = dir_template;
  pid_t pid = spawn({VISIONFS_BINARY, "-f", "-o", "ttl=1h,auto_unmount", mnt}, -1);
  ASSERT_TRUE(poll_until([&] { return mount_fstype(mnt) == std::string("fuse.visionfs"); }, std::chrono::seconds(10)));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(poll_until([&] { return !mount_fstype(mnt).has_value(); }, std::chrono::seconds(10)));
  if (mount_fstype(mnt)) run("fusermount3 -u " + shell_quote(mnt));
  run("rm -rf " + shell_quote(mnt));
}

}  // namespace
}  // namespace visionfs::itest
