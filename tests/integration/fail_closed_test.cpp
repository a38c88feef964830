// Failing closed: a daemon killed without warning (kill -9, the OOM killer)
// must not turn the mountpoint back into a plain directory, or a program
// still writing by path puts the user's images on disk. Without
// auto_unmount the dead mount answers ENOTCONN until the user unmounts it.

#include "integration/command.h"
#include "integration/mount_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

namespace visionfs::itest {
namespace {

constexpr const char* kPhoto = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg";

TEST(FailClosed, AKilledDaemonLeavesADeadMountThatRefusesWritesUntilUnmounted) {
  StandaloneDaemon daemon("ttl=1h");
  ASSERT_TRUE(daemon.mounted());
  EXPECT_TRUE(succeeded(run(std::string("cp ") + kPhoto + " " + shell_quote(daemon.mnt()) + "/")));

  kill(daemon.pid(), SIGKILL);
  daemon.wait_exit(std::chrono::seconds(10));
  // The kernel keeps the mount; every access fails instead of reaching the disk.
  EXPECT_TRUE(daemon.mounted());
  auto write = run(std::string("cp ") + kPhoto + " " + shell_quote(daemon.m("again.jpg")));
  EXPECT_NE(write.status, 0);
  EXPECT_NE(write.err.find("not connected"), std::string::npos) << write.describe();

  // The recovery the README gives.
  EXPECT_TRUE(succeeded(run("fusermount3 -u " + shell_quote(daemon.mnt()))));
  EXPECT_FALSE(daemon.mounted());
  EXPECT_EQ(run("ls -A " + shell_quote(daemon.mnt())).out, "") << "nothing reached the directory underneath";
}

TEST(FailClosed, AutoUnmountRemainsAvailableOnRequest) {
  StandaloneDaemon daemon("ttl=1h,auto_unmount");
  ASSERT_TRUE(daemon.mounted());
  kill(daemon.pid(), SIGKILL);
  daemon.wait_exit(std::chrono::seconds(10));
  // fusermount3 --auto-unmount notices the daemon is gone; under a loaded
  // machine (ctest -j2 beside another suite) that took over 10 s once.
  EXPECT_TRUE(poll_until([&] { return !daemon.mounted(); }, std::chrono::seconds(30)));
}

}  // namespace
}  // namespace visionfs::itest
