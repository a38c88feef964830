#include "integration/command.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace visionfs::itest {
namespace {

std::string errno_text(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

std::vector<char*> to_argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Spawns argv with stdin from /dev/null and fds 1 and 2 from the given
// descriptors (which must be O_CLOEXEC so no other copy leaks into the child).
// fork+exec rather than posix_spawn for PR_SET_PDEATHSIG: if the test process
// dies (ctest timeout, SIGKILL), every child gets SIGTERM, so a daemon
// unmounts and `timeout` stops its command instead of outliving the test.
// Only async-signal-safe calls between fork and exec.
pid_t spawn_with(const std::vector<std::string>& args, int out_fd, int err_fd) {
  auto argv = to_argv(args);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(errno_text(("fork for " + args[0]).c_str(), errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(127);
    if (in > 2) close(in);
    // Whatever the test process inherited (ctest hands it its own log file
    // without close-on-exec) must not reach the child: the privacy tests
    // check that the daemon holds no writable file but /dev/fuse.
    close_range(3, ~0u, 0);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int decode_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// A test binary whose output goes to a closed pipe (`| head`) must still
// reach TearDown and unmount, so SIGPIPE is ignored for the whole binary.
[[maybe_unused]] const bool kSigpipeIgnored = [] { return signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();

std::mutex watchdog_mu;
std::function<void(const std::string&)> hang_watchdog;  // guarded by watchdog_mu

void call_hang_watchdog(const std::string& command) {
  std::function<void(const std::string&)> watchdog;
  {
    std::lock_guard lock(watchdog_mu);
    watchdog = hang_watchdog;
  }
  if (watchdog) watchdog(command);
}

}  // namespace

void set_hang_watchdog(std::function<void(const std::string& command)> watchdog) {
  std::lock_guard lock(watchdog_mu);
  hang_watchdog = std::move(watchdog);
}

std::string CommandResult::describe() const {
  std::ostringstream os;
  os << "$ " << command << "\nstatus " << status << "\n--- stdout ---\n"
     << out.substr(0, 4000) << "\n--- stderr ---\n"
     << err.substr(0, 4000);
  return os.str();
}

::testing::AssertionResult succeeded(const CommandResult& r) {
  if (r.status == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.describe();
}

CommandResult run(const std::string& command, int timeout_seconds) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe2", errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error(errno_text("pipe2", errno));
  }
  pid_t pid = spawn_with({"timeout", "-k", "5", std::to_string(timeout_seconds), "/bin/sh", "-c",
                          command},
                         out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);

  CommandResult result;
  result.command = command;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  int wait_status = 0;
  bool exited = false;
  auto exited_at = std::chrono::steady_clock::now();
  const auto hang_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds + 15);
  bool watchdog_called = false;
  char buf[65536];
  // Read until both pipes close. A grandchild left in the background may keep
  // a pipe open after the shell exits: stop reading 2 s after the exit then.
  while (open_count > 0) {
    int n = poll(fds, 2, 200);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
    if (!exited && waitpid(pid, &wait_status, WNOHANG) == pid) {
      exited = true;
      exited_at = std::chrono::steady_clock::now();
    }
    if (exited && std::chrono::steady_clock::now() - exited_at > std::chrono::seconds(2)) break;
    if (!exited && !watchdog_called && std::chrono::steady_clock::now() > hang_deadline) {
      watchdog_called = true;
      call_hang_watchdog(command);
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (!exited) waitpid(pid, &wait_status, 0);
  result.status = decode_status(wait_status);
  return result;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  q += "'";
  return q;
}

std::string python3() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

pid_t spawn(const std::vector<std::string>& argv, int log_fd) {
  int fd = log_fd >= 0 ? log_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(errno_text("open /dev/null", errno));
  pid_t pid = -1;
  try {
    pid = spawn_with(argv, fd, fd);
  } catch (...) {
    if (fd != log_fd) close(fd);
    throw;
  }
  if (fd != log_fd) close(fd);
  return pid;
}

bool wait_for_exit(pid_t pid, std::chrono::milliseconds deadline, int* wait_status) {
  auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      if (wait_status) *wait_status = st;
      return true;
    }
    if (r < 0 && errno == ECHILD) {
      if (wait_status) *wait_status = 0;
      return true;
    }
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

BackgroundProcess::BackgroundProcess(const std::string& command, const std::string& stdout_path,
                                     const std::string& stderr_path, int timeout_seconds)
    : stdout_path_(stdout_path), stderr_path_(stderr_path) {
  int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0 || err < 0) {
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    throw std::runtime_error(errno_text("open background output", errno));
  }
  try {
    pid_ = spawn_with({"timeout", "-k", "5", std::to_string(timeout_seconds), "/bin/sh", "-c",
                       command},
                      out, err);
  } catch (...) {
    close(out);
    close(err);
    throw;
  }
  close(out);
  close(err);
}

BackgroundProcess::~BackgroundProcess() { stop(); }

std::string BackgroundProcess::stdout_text() const { return read_local_file(stdout_path_); }
std::string BackgroundProcess::stderr_text() const { return read_local_file(stderr_path_); }

bool BackgroundProcess::running() {
  if (pid_ < 0) return false;
  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) == pid_) {
    wait_status_ = st;
    pid_ = -1;
    return false;
  }
  return true;
}

int BackgroundProcess::stop() {
  if (pid_ < 0) return wait_status_;
  // timeout(1) forwards SIGTERM to the command it runs.
  kill(pid_, SIGTERM);
  if (!wait_for_exit(pid_, std::chrono::seconds(10), &wait_status_)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &wait_status_, 0);
  }
  pid_ = -1;
  return wait_status_;
}

std::string read_local_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

}  // namespace visionfs::itest
