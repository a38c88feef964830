// The evictor removes only what it means to remove: after a lazy unmount its
// mountpoint's name leads to the directory underneath, on disk, and a file
// there with the name of an expired file must survive.

#include "integration/command.h"
#include "integration/mount_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>

namespace visionfs::itest {
namespace {

TEST(Evictor, NeverReachesTheDirectoryUnderneathAfterALazyUnmount) {
  char dir_template[] = "/tmp/visionfs-lazy-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string mnt = dir_template;
  pid_t pid = spawn({VISIONFS_BINARY, "-f", "-o", "ttl=2s", mnt}, -1);
  ASSERT_TRUE(poll_until([&] { return mount_fstype(mnt) == std::string("fuse.visionfs"); }, std::chrono::seconds(10)));
  const std::string victim = shell_quote(mnt + "/victim.txt");
  ASSERT_TRUE(succeeded(run("echo memory > " + victim + " && echo keep > " + shell_quote(mnt + "/keep.txt"))));
  // Something still holds the mount: a lazy unmount detaches it, the daemon lives on.
  BackgroundProcess holder("exec sleep 30 < " + shell_quote(mnt + "/keep.txt"), "/dev/null", "/dev/null");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(succeeded(run("fusermount3 -uz " + shell_quote(mnt))));
  ASSERT_FALSE(mount_fstype(mnt).has_value());
  ASSERT_TRUE(succeeded(run("echo disk > " + victim)));  // the user's file, on disk, same name

  // Both in-memory files expire now; the daemon is still running.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "the daemon lives while the detached mount is held";
  auto disk = run("cat " + victim);
  EXPECT_TRUE(succeeded(disk));
  EXPECT_EQ(disk.out, "disk\n") << "the evictor reached the directory underneath";

  holder.stop();
  int status = 0;
  if (!wait_for_exit(pid, std::chrono::seconds(20), &status)) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  run("rm -rf " + shell_quote(mnt));
}

}  // namespace
}  // namespace visionfs::itest
