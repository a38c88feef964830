#pragma once
// MountFixture: one real visionfs daemon per test, on a fresh mountpoint.
//
// Follows libfuse's test/util.py: the daemon runs in the foreground (-f) with
// stdout and stderr in a log file of the test's temp directory (the test may
// write files; the daemon may not). SetUp waits for the mount with a deadline
// while watching that the daemon is alive. TearDown always unmounts
// (fusermount3 -u; on failure -uz and SIGKILL), requires exit status 0 after a
// clean unmount, and fails the test if the log holds errors or sanitizer
// reports. Every access to the mount goes through run() (under timeout), so a
// hung daemon fails a test instead of hanging it.
//
// Subclasses choose daemon options by overriding mount_options(); it is called
// after temp_dir() exists, so a wrapper can put files there (strace -o).
// Thread-safety: none; gtest runs each test on one thread.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/command.h"

namespace visionfs::itest {

struct MountOptions {
  std::vector<std::string> options;        // each passed as `-o VALUE`
  std::vector<std::string> wrapper;        // argv prefix, e.g. {"strace", ...}
  std::vector<std::string> leading_args;   // before the mountpoint, e.g. {"none"}
};

// fstype of the topmost mount at `path` per /proc/self/mountinfo
// ("fuse.visionfs"), or nullopt when nothing is mounted there.
std::optional<std::string> mount_fstype(const std::string& path);

// Writes `size` deterministic pseudo-random bytes (from `seed`) to a local
// file. The bytes start with "VFSTEST" so they never look like an image.
void write_random_file(const std::string& path, std::uint64_t size, std::uint64_t seed);

// The other way to run a daemon, for lifecycle tests that stop, kill or
// detach it themselves (SIGTERM, SIGKILL, fusermount3 -uz, no -f): a fresh
// directory and a daemon on it. Like MountFixture it sets the hang
// watchdog (command.h) to abort its connection. Whatever the test did, the
// destructor unmounts (fusermount3 -u, then -uz), kills what is left and
// removes the directory. Everything else uses MountFixture.
class StandaloneDaemon {
 public:
  // Starts `visionfs [-f] -o OPTIONS DIR` and waits for the mount.
  explicit StandaloneDaemon(const std::string& options, bool foreground = true);
  ~StandaloneDaemon();
  StandaloneDaemon(const StandaloneDaemon&) = delete;
  StandaloneDaemon& operator=(const StandaloneDaemon&) = delete;

  bool mounted() const;                  // fuse.visionfs at mnt()
  const std::string& mnt() const { return mnt_; }
  std::string m(const std::string& rel) const { return mnt_ + "/" + rel; }
  pid_t pid() const { return pid_; }     // -1 for a background daemon
  // Waits for the daemon to exit; its wait status, or -1 on timeout.
  int wait_exit(std::chrono::seconds deadline);

 private:
  std::string dir_;
  std::string mnt_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

class MountFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  virtual MountOptions mount_options() const { return {}; }

  // Unmounts, waits for the daemon, and checks exit status and log. Safe to
  // call more than once; TearDown calls it too, then removes temp_dir().
  // Tests call it early when they need the daemon's final output (an strace
  // log in temp_dir()).
  void unmount_and_check();

  const std::string& temp_dir() const { return temp_dir_; }
  const std::string& mnt() const { return mnt_; }
  const std::string& scratch() const { return scratch_; }
  // Absolute path inside the mount / inside the scratch directory.
  std::string m(const std::string& rel) const { return mnt_ + "/" + rel; }
  std::string s(const std::string& rel) const { return scratch_ + "/" + rel; }
  // m()/s() quoted for the shell.
  std::string qm(const std::string& rel) const { return shell_quote(m(rel)); }
  std::string qs(const std::string& rel) const { return shell_quote(s(rel)); }

  // Names in a directory of the mount (ls -A), sorted, without the root's
  // hidden control directory .visionfs.
  // `ls -A` of the mount (or a directory in it), sorted, without .visionfs
  // and the computed .hidden.
  std::vector<std::string> list(const std::string& rel = "");
  // Byte-exact comparison of two paths with cmp(1).
  ::testing::AssertionResult same_bytes(const std::string& a, const std::string& b);

  // The process started (the wrapper, if any) and the daemon itself.
  pid_t spawned_pid() const { return pid_; }
  pid_t daemon_pid() const;
  std::string daemon_log() const;

  static std::string binary() { return VISIONFS_BINARY; }

  // Aborts this mount's FUSE connection (/sys/fs/fuse/connections/N/abort):
  // the only way to free a reader whose request the daemon never answers.
  // The hang watchdog (command.h) calls it and fails the test.
  void abort_connection();

 private:
  void start(const MountOptions& options);

  std::string temp_dir_;
  std::string mnt_;
  std::string scratch_;
  std::string log_path_;
  std::string connection_;  // N in /sys/fs/fuse/connections/N
  int log_fd_ = -1;
  pid_t pid_ = -1;
  bool finished_ = false;
};

}  // namespace visionfs::itest
