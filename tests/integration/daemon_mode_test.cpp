// The daemon as users start it: in the background (no -f). Regression test:
// the daemon once died right after daemonizing (switching its log to syslog
// threw), auto_unmount then removed the mount, and the user's next cp wrote
// to the real directory underneath, on disk.

#include "integration/command.h"
#include "integration/mount_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

namespace visionfs::itest {
namespace {

TEST(DaemonMode, BackgroundDaemonStaysMountedAndServes) {
  char dir_template[] = "/tmp/visionfs-bg-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string mnt = dir_template;
  auto started = run(shell_quote(VISIONFS_BINARY) + " -o ttl=1h,max_memory=64M " + shell_quote(mnt));
  ASSERT_TRUE(succeeded(started));
  bool mounted = poll_until([&] { return mount_fstype(mnt) == std::string("fuse.visionfs"); },
                            std::chrono::seconds(10));
  EXPECT_TRUE(mounted);
  if (mounted) {
    // Still there a moment later: the daemon survived its own start-up.
    auto copy = run("sleep 1; cp /usr/share/doc/opencv-doc/examples/data/messi5.jpg " + shell_quote(mnt) +
                    "/ && stat -f -c %T " + shell_quote(mnt));
    EXPECT_TRUE(succeeded(copy));
    EXPECT_EQ(mount_fstype(mnt), std::string("fuse.visionfs"));
    auto meta = run("jq -r .format " + shell_quote(mnt + "/messi5.jpg.meta.json"));
    EXPECT_TRUE(succeeded(meta));
    EXPECT_EQ(meta.out, "jpeg\n");
  }
  run("fusermount3 -u " + shell_quote(mnt) + " || fusermount3 -uz " + shell_quote(mnt));
  poll_until([&] { return !mount_fstype(mnt).has_value(); }, std::chrono::seconds(10));
  // Nothing may have reached the directory underneath.
  auto leftovers = run("ls -A " + shell_quote(mnt));
  EXPECT_EQ(leftovers.out, "");
  run("rm -rf " + shell_quote(mnt));
}

// A stop that was asked for is a clean exit: status 0 (libfuse's loop reports
// the signal's number, which service managers would count as a failure) and
// no mount left behind.
TEST(DaemonMode, SigtermUnmountsAndExitsZero) {
  char dir_template[] = "/tmp/visionfs-term-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string mnt = dir_template;
  pid_t pid = spawn({VISIONFS_BINARY, "-f", "-o", "ttl=1h", mnt}, -1);
  ASSERT_TRUE(poll_until([&] { return mount_fstype(mnt) == std::string("fuse.visionfs"); }, std::chrono::seconds(10)));
  EXPECT_TRUE(succeeded(run("echo data > " + shell_quote(mnt + "/f"))));
  kill(pid, SIGTERM);
  int status = 0;
  bool exited = wait_for_exit(pid, std::chrono::seconds(20), &status);
  EXPECT_TRUE(exited);
  if (!exited) {
    kill(pid, SIGKILL);
    run("fusermount3 -uz " + shell_quote(mnt));
  } else {
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_FALSE(mount_fstype(mnt).has_value());
  EXPECT_EQ(run("ls -A " + shell_quote(mnt)).out, "");
  run("rm -rf " + shell_quote(mnt));
}

}  // namespace
}  // namespace visionfs::itest
