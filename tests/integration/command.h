#pragma once
// Running real tools from integration tests.
//
// run() executes a shell command under `timeout`, so a hung mount can make a
// test fail but never hang CI. BackgroundProcess runs a long-lived watcher
// (inotifywait, a slow reader) with its output in files the test polls.
// Every child gets SIGTERM if the test process dies (PR_SET_PDEATHSIG).
// Thread-safety: run() may be called from several threads (each call owns
// its pipes, opened close-on-exec); BackgroundProcess is single-threaded.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace visionfs::itest {

struct CommandResult {
  std::string command;
  // Exit status of the shell; 128+N when killed by signal N; 124 when the
  // timeout expired (GNU timeout's convention).
  int status = -1;
  std::string out;
  std::string err;

  // For assertion messages: the command, its status and both streams.
  std::string describe() const;
};

// For ASSERT_TRUE(succeeded(r)): a failure message that shows everything.
::testing::AssertionResult succeeded(const CommandResult& r);

// Runs `/bin/sh -c command` under `timeout -k 5 <seconds>`, stdin from
// /dev/null, and captures stdout and stderr separately. A reader stuck in a
// FUSE request that is never answered cannot be killed, not even by
// `timeout` (fuse-lessons.md 1c): if the command is still there 15 s after
// its timeout, the hang watchdog is called (once), and run() goes on
// waiting for what the watchdog frees.
CommandResult run(const std::string& command, int timeout_seconds = 60);

// The watchdog run() calls for a command that outlived its timeout: a mount
// fixture aborts its FUSE connection and fails the test. Thread-safe; an
// empty function clears it.
void set_hang_watchdog(std::function<void(const std::string& command)> watchdog);

// Quotes a string for /bin/sh: 'abc' with embedded quotes escaped.
std::string shell_quote(const std::string& s);

// The Python interpreter the tests use: the distribution's, if present,
// so results do not depend on a user's pyenv shims.
std::string python3();

// Spawns argv directly (no shell) with stdin from /dev/null and stdout and
// stderr both appended to `log_fd` (or /dev/null when log_fd < 0). The child
// gets SIGTERM if the test process dies. Returns the child's pid; throws
// std::runtime_error on failure.
pid_t spawn(const std::vector<std::string>& argv, int log_fd);

// Waits up to `deadline` for `pid` to exit. Returns true and sets
// `wait_status` (as from waitpid) if it did.
bool wait_for_exit(pid_t pid, std::chrono::milliseconds deadline, int* wait_status);

// Polls `condition` every 50 ms until it holds or `deadline` passes.
// Integration tests only: waiting on a real daemon needs real time.
bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

// A shell command running while the test continues: its stdout and stderr
// go to files; stop() terminates it (SIGTERM, then SIGKILL) and waits.
// The command also runs under `timeout` and gets SIGTERM if the test process
// dies, so it cannot outlive a broken test.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& command, const std::string& stdout_path,
                    const std::string& stderr_path, int timeout_seconds = 300);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  std::string stdout_text() const;
  std::string stderr_text() const;
  bool running();
  // Returns the wait status (as from waitpid).
  int stop();

 private:
  pid_t pid_ = -1;
  int wait_status_ = 0;
  std::string stdout_path_;
  std::string stderr_path_;
};

// Whole contents of a local file; empty string if it cannot be read.
// Only for files outside the mount (logs, scratch files).
std::string read_local_file(const std::string& path);

}  // namespace visionfs::itest
