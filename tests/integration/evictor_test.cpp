// The evictor removes only what it means to remove: after a lazy unmount its
// mountpoint's name leads to the directory underneath, on disk, and a file
// there with the name of an expired file must survive.

#include "integration/command.h"
#include "integration/mount_fixture.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>

namespace visionfs::itest {
namespace {

TEST(Evictor, NeverReachesTheDirectoryUnderneathAfterALazyUnmount) {
  StandaloneDaemon daemon("ttl=2s");
  ASSERT_TRUE(daemon.mounted());
  const std::string victim = shell_quote(daemon.m("victim.txt"));
  ASSERT_TRUE(succeeded(run("echo memory > " + victim + " && echo keep > " + shell_quote(daemon.m("keep.txt")))));
  // Something still holds the mount: a lazy unmount detaches it, the daemon lives on.
  BackgroundProcess holder("exec sleep 30 < " + shell_quote(daemon.m("keep.txt")), "/dev/null", "/dev/null");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(succeeded(run("fusermount3 -uz " + shell_quote(daemon.mnt()))));
  ASSERT_FALSE(daemon.mounted());
  ASSERT_TRUE(succeeded(run("echo disk > " + victim)));  // the user's file, on disk, same name

  // Both in-memory files expire now; the daemon is still running.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(waitpid(daemon.pid(), nullptr, WNOHANG), 0) << "the daemon lives while the detached mount is held";
  auto disk = run("cat " + victim);
  EXPECT_TRUE(succeeded(disk));
  EXPECT_EQ(disk.out, "disk\n") << "the evictor reached the directory underneath";
  holder.stop();
}

}  // namespace
}  // namespace visionfs::itest
