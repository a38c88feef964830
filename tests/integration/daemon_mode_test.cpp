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
  StandaloneDaemon daemon("ttl=1h,max_memory=64M", /*foreground=*/false);
  ASSERT_TRUE(daemon.mounted());
  // Still there a moment later: the daemon survived its own start-up.
  auto copy = run("sleep 1; cp /usr/share/doc/opencv-doc/examples/data/messi5.jpg " + shell_quote(daemon.mnt()) +
                  "/ && stat -f -c %T " + shell_quote(daemon.mnt()));
  EXPECT_TRUE(succeeded(copy));
  EXPECT_TRUE(daemon.mounted());
  auto meta = run("jq -r .format " + shell_quote(daemon.m("messi5.jpg.meta.json")));
  EXPECT_TRUE(succeeded(meta));
  EXPECT_EQ(meta.out, "jpeg\n");
  EXPECT_TRUE(succeeded(run("fusermount3 -u " + shell_quote(daemon.mnt()))));
  poll_until([&] { return !daemon.mounted(); }, std::chrono::seconds(10));
  // Nothing may have reached the directory underneath.
  EXPECT_EQ(run("ls -A " + shell_quote(daemon.mnt())).out, "");
}

// A stop that was asked for is a clean exit: status 0 (libfuse's loop reports
// the signal's number, which service managers would count as a failure) and
// no mount left behind.
TEST(DaemonMode, SigtermUnmountsAndExitsZero) {
  StandaloneDaemon daemon("ttl=1h");
  ASSERT_TRUE(daemon.mounted());
  EXPECT_TRUE(succeeded(run("echo data > " + shell_quote(daemon.m("f")))));
  kill(daemon.pid(), SIGTERM);
  int status = daemon.wait_exit(std::chrono::seconds(20));
  ASSERT_GE(status, 0) << "the daemon did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(daemon.mounted());
  EXPECT_EQ(run("ls -A " + shell_quote(daemon.mnt())).out, "");
}

}  // namespace
}  // namespace visionfs::itest
