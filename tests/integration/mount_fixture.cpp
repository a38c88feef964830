#include "integration/mount_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace visionfs::itest {
namespace {

constexpr auto kMountDeadline = std::chrono::seconds(30);
constexpr auto kExitDeadline = std::chrono::seconds(30);

// Markers of a daemon problem in its log. spdlog writes levels in lower
// case; "ERROR" catches libfuse's and anything printed by hand.
const char* const kLogMarkers[] = {"ERROR", "[error]", "[critical]", "AddressSanitizer",
                                   "LeakSanitizer", "ThreadSanitizer", "runtime error"};

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : p;
}

std::string exe_of(pid_t pid) {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return ec ? std::string() : p.string();
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "children");
    pid_t child;
    while (in >> child) out.push_back(child);
  }
  return out;
}

std::string describe_wait_status(int st) {
  std::ostringstream os;
  if (WIFEXITED(st))
    os << "exit status " << WEXITSTATUS(st);
  else if (WIFSIGNALED(st))
    os << "killed by signal " << WTERMSIG(st);
  else
    os << "wait status " << st;
  return os.str();
}

}  // namespace

// The minor device number of the mount at `path`: its FUSE connection.
static std::string fuse_connection_of(const std::string& path) {
  const std::string target = real_path(path);
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (mount_point == target && devno.find(':') != std::string::npos) found = devno.substr(devno.find(':') + 1);
  }
  return found;
}

std::optional<std::string> mount_fstype(const std::string& path) {
  const std::string target = real_path(path);
  std::ifstream in("/proc/self/mountinfo");
  std::optional<std::string> found;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (unescape_mountinfo(mount_point) != target) continue;
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream rest(line.substr(sep + 3));
    std::string fstype;
    rest >> fstype;
    found = fstype;  // later lines are mounted on top of earlier ones
  }
  return found;
}

void write_random_file(const std::string& path, std::uint64_t size, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 rng(seed);
  static const char kHeader[] = "VFSTEST";
  std::string buf;
  buf.reserve(1 << 20);
  std::uint64_t written = 0;
  while (written < size) {
    buf.clear();
    while (buf.size() < (1u << 20) && written + buf.size() < size) {
      std::uint64_t pos = written + buf.size();
      if (pos < sizeof kHeader - 1) {
        buf += kHeader[pos];
      } else {
        std::uint64_t v = rng();
        for (int k = 0; k < 8 && written + buf.size() < size && buf.size() < (1u << 20); ++k)
          buf += static_cast<char>((v >> (8 * k)) & 0xff);
      }
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    written += buf.size();
  }
}

void MountFixture::SetUp() {
  char templ[] = "/tmp/visionfs-it-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr) << std::strerror(errno);
  temp_dir_ = templ;
  mnt_ = temp_dir_ + "/mnt";
  scratch_ = temp_dir_ + "/scratch";
  log_path_ = temp_dir_ + "/daemon.log";
  ASSERT_EQ(mkdir(mnt_.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(scratch_.c_str(), 0755), 0);
  start(mount_options());
}

void MountFixture::start(const MountOptions& options) {
  log_fd_ = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(log_fd_, 0) << std::strerror(errno);

  std::vector<std::string> argv = options.wrapper;
  argv.push_back(binary());
  argv.push_back("-f");
  for (const auto& o : options.options) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  for (const auto& a : options.leading_args) argv.push_back(a);
  argv.push_back(mnt_);

  std::string cmdline;
  for (const auto& a : argv) cmdline += a + " ";
  pid_ = spawn(argv, log_fd_);

  bool up = poll_until(
      [&] {
        if (mount_fstype(mnt_) == std::optional<std::string>("fuse.visionfs")) return true;
        int st = 0;
        if (waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          finished_ = true;
          ADD_FAILURE() << "daemon exited before mounting (" << describe_wait_status(st)
                        << "): " << cmdline << "\n--- log ---\n" << daemon_log();
          return true;
        }
        return false;
      },
      kMountDeadline);
  if (pid_ < 0) FAIL() << "no mount";
  connection_ = fuse_connection_of(mnt_);
  set_hang_watchdog([this](const std::string& command) {
    ADD_FAILURE() << "a request on the mount was never answered; aborting the FUSE connection\ncommand: " << command;
    abort_connection();
  });
  if (!up) {
    auto fstype = mount_fstype(mnt_);
    FAIL() << "mount did not appear within " << kMountDeadline.count() << " s: " << cmdline
           << "\nmountinfo fstype at mountpoint: " << fstype.value_or("(none)")
           << "\n--- log ---\n" << daemon_log();
  }
}

void MountFixture::abort_connection() {
  if (connection_.empty()) return;
  const std::string dir = "/sys/fs/fuse/connections";
  if (!std::filesystem::exists(dir + "/" + connection_)) run("mount -t fusectl none " + dir, 10);
  std::ofstream(dir + "/" + connection_ + "/abort") << "1\n";
}

void MountFixture::TearDown() {
  set_hang_watchdog({});
  unmount_and_check();
  if (temp_dir_.empty()) return;
  if (mount_fstype(mnt_)) {
    ADD_FAILURE() << "still mounted after teardown; leaving " << temp_dir_;
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(temp_dir_, ec);
}

void MountFixture::unmount_and_check() {
  if (finished_ || pid_ < 0) {
    if (log_fd_ >= 0) close(log_fd_);
    log_fd_ = -1;
    return;
  }
  finished_ = true;
  bool clean = true;

  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) == pid_) {
    ADD_FAILURE() << "daemon exited during the test (" << describe_wait_status(st) << ")\n--- log ---\n"
                  << daemon_log();
    clean = false;
    pid_ = -1;
  }
  if (mount_fstype(mnt_)) {
    auto r = run("fusermount3 -u " + shell_quote(mnt_), 30);
    if (r.status != 0) {
      ADD_FAILURE() << "clean unmount failed:\n" << r.describe();
      clean = false;
      run("fusermount3 -uz " + shell_quote(mnt_), 30);
      if (pid_ > 0) kill(pid_, SIGKILL);
    }
  }
  if (pid_ > 0) {
    if (!wait_for_exit(pid_, kExitDeadline, &st)) {
      ADD_FAILURE() << "daemon did not exit within " << kExitDeadline.count()
                    << " s of the unmount; killing it";
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
      clean = false;
    }
    if (clean) {
      EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
          << "daemon ended with " << describe_wait_status(st) << "\n--- log ---\n" << daemon_log();
    }
    pid_ = -1;
  }

  const std::string log = daemon_log();
  for (const char* marker : kLogMarkers) {
    EXPECT_EQ(log.find(marker), std::string::npos)
        << "daemon log contains \"" << marker << "\":\n" << log.substr(0, 8000);
  }
  if (log_fd_ >= 0) close(log_fd_);
  log_fd_ = -1;
}

std::vector<std::string> MountFixture::list(const std::string& rel) {
  auto r = run("ls -A1 -- " + shell_quote(rel.empty() ? mnt_ : m(rel)));
  EXPECT_TRUE(succeeded(r));
  std::vector<std::string> names;
  std::istringstream in(r.out);
  std::string name;
  while (std::getline(in, name)) {
    if (rel.empty() && name == ".visionfs") continue;
    // Every directory with images has a computed .hidden (its own tests:
    // hidden_list_test.cpp); listings compared here are of the other names.
    if (name == ".hidden") continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

::testing::AssertionResult MountFixture::same_bytes(const std::string& a, const std::string& b) {
  auto r = run("cmp -- " + shell_quote(a) + " " + shell_quote(b));
  if (r.status == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.describe();
}

pid_t MountFixture::daemon_pid() const {
  if (pid_ < 0) return -1;
  const std::string want = real_path(binary());
  // A wrapper that execs (setpriv) keeps the pid; one that forks (strace)
  // makes the daemon a descendant.
  std::vector<pid_t> todo{pid_};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    if (exe_of(p) == want) return p;
    for (pid_t c : children_of(p)) todo.push_back(c);
  }
  return -1;
}

std::string MountFixture::daemon_log() const { return read_local_file(log_path_); }

StandaloneDaemon::StandaloneDaemon(const std::string& options, bool foreground) {
  char templ[] = "/tmp/visionfs-daemon-XXXXXX";
  if (!mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  mnt_ = dir_ + "/mnt";
  mkdir(mnt_.c_str(), 0755);
  if (foreground) {
    pid_ = spawn({VISIONFS_BINARY, "-f", "-o", options, mnt_}, -1);
  } else {
    auto started = run(shell_quote(VISIONFS_BINARY) + " -o " + shell_quote(options) + " " + shell_quote(mnt_));
    EXPECT_TRUE(succeeded(started));
  }
  EXPECT_TRUE(poll_until([&] { return mounted(); }, kMountDeadline)) << "no mount at " << mnt_;
  // A reader stuck on this mount is freed by aborting its connection.
  const std::string connection = fuse_connection_of(mnt_);
  set_hang_watchdog([connection](const std::string& command) {
    ADD_FAILURE() << "a request on the mount was never answered; aborting the FUSE connection\ncommand: " << command;
    if (connection.empty()) return;
    const std::string dir = "/sys/fs/fuse/connections";
    if (!std::filesystem::exists(dir + "/" + connection)) run("mount -t fusectl none " + dir, 10);
    std::ofstream(dir + "/" + connection + "/abort") << "1\n";
  });
}

bool StandaloneDaemon::mounted() const { return mount_fstype(mnt_) == std::optional<std::string>("fuse.visionfs"); }

int StandaloneDaemon::wait_exit(std::chrono::seconds deadline) {
  if (pid_ < 0 || reaped_) return -1;
  int status = 0;
  if (!wait_for_exit(pid_, deadline, &status)) return -1;
  reaped_ = true;
  return status;
}

StandaloneDaemon::~StandaloneDaemon() {
  set_hang_watchdog({});
  if (mount_fstype(mnt_)) run("fusermount3 -u " + shell_quote(mnt_) + " || fusermount3 -uz " + shell_quote(mnt_), 30);
  if (pid_ > 0 && !reaped_) {
    if (!wait_for_exit(pid_, kExitDeadline, nullptr)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace visionfs::itest
