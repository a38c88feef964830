// Privacy: the daemon writes no file anywhere and cannot be core-dumped or
// read by a same-uid process without CAP_SYS_PTRACE.
//
// The write check traces the daemon (and the fusermount3 helper it starts for
// auto_unmount) with strace over a workload that stores, reads, removes and
// expires files, images included, so decoders and analyzers run too.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

using std::chrono::seconds;

// Opening these for writing stores nothing: /dev/fuse is the kernel channel;
// /dev/null is what libfuse's fuse_daemonize puts on stdio when the daemon
// detaches (not with -f, but the rule must hold for the daemonized case too).
const std::set<std::string> kWritableAllowed = {"/dev/fuse", "/dev/null"};

// execve and clone name the program behind each pid in the findings.
const char* const kTraced = "trace=execve,clone,clone3,fork,vfork,open,openat,openat2,creat,rename,renameat,renameat2,"
                            "unlink,unlinkat,rmdir,truncate,ftruncate,mknod,mknodat";

// The evictor removes expired entries by unlink/rmdir through the daemon's
// own mount (fs/evictor.h: only a VFS unlink gives directory watchers
// IN_DELETE). Those requests come back to the daemon and touch only memory,
// so removals below the mountpoint are allowed; everything else is not.
// Its mknods there (announcing sidecar names that arrived) likewise.
bool removal_call(const std::string& name) {
  return name == "unlink" || name == "unlinkat" || name == "rmdir" || name == "mknodat";
}

struct TraceFindings {
  std::vector<std::string> violations;
  std::set<std::string> writable_opens;  // allowed ones, for the report
  int own_mount_removals = 0;
  int lines = 0;
};

// Reads an strace -f log. A call interrupted by another thread is split into
// "name(args <unfinished ...>" and "<... name resumed>"; the first part holds
// the arguments, which is all these rules look at.
TraceFindings analyze_trace(const std::string& trace, const std::string& mountpoint) {
  TraceFindings f;
  static const std::regex fd_path(R"(^\d+<([^>]*)>)");  // strace -y: 3</dir/path>
  static const std::regex call(R"(^(\d+)\s+(\w+)\((.*)$)");
  static const std::regex resumed(R"(^(\d+)\s+<\.\.\. (\w+) resumed>.*= (\d+)\s*$)");
  static const std::regex result(R"(= (\d+)\s*$)");
  static const std::regex first_string("\"((?:[^\"\\\\]|\\\\.)*)\"");
  std::map<std::string, std::string> program_of_pid;
  std::istringstream in(trace);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, resumed)) {
      const std::string name = m[2];
      if (name == "clone" || name == "clone3" || name == "fork" || name == "vfork")
        program_of_pid[m[3]] = program_of_pid[m[1]];
      continue;
    }
    if (!std::regex_match(line, m, call)) continue;
    ++f.lines;
    const std::string pid = m[1], name = m[2], args = m[3];
    if (name == "clone" || name == "clone3" || name == "fork" || name == "vfork") {
      std::smatch child;
      if (std::regex_search(args, child, result)) program_of_pid[child[1]] = program_of_pid[pid];
      continue;
    }
    std::smatch path_match;
    const std::string path =
        std::regex_search(args, path_match, first_string) ? path_match[1].str() : std::string();
    if (name == "execve") {
      program_of_pid[pid] = path;
      continue;
    }
    const std::string who = "pid " + pid + " (" + program_of_pid[pid] + "): ";
    if (name == "open" || name == "openat" || name == "openat2") {
      bool writes = args.find("O_WRONLY") != std::string::npos || args.find("O_RDWR") != std::string::npos ||
                    args.find("O_CREAT") != std::string::npos || args.find("O_TRUNC") != std::string::npos;
      if (!writes) continue;
      if (kWritableAllowed.count(path))
        f.writable_opens.insert(path);
      else
        f.violations.push_back(who + line);
    } else if (removal_call(name)) {
      std::string full = path;
      std::smatch dir;
      if ((name == "unlinkat" || name == "mknodat") && !path.empty() && path[0] != '/' &&
          std::regex_search(args, dir, fd_path))
        full = dir[1].str() + "/" + path;
      if (full.rfind(mountpoint + "/", 0) == 0)
        ++f.own_mount_removals;
      else
        f.violations.push_back(who + line);
    } else {
      // creat, rename*, truncate, ftruncate: never needed by a memory-only
      // daemon, whatever the target.
      f.violations.push_back(who + line);
    }
  }
  return f;
}

std::string sample_image(const char* name) {
  return std::string("/usr/share/doc/opencv-doc/examples/data/") + name;
}

class PrivacyTraceTest : public MountFixture {
 protected:
  MountOptions mount_options() const override {
    return {{"ttl=2s", "max_memory=128M"},
            {"strace", "-f", "-qq", "-y", "-e", kTraced, "-o", temp_dir() + "/trace.txt"},
            {}};
  }
};

TEST_F(PrivacyTraceTest, NoFileIsWrittenDuringAWorkload) {
  ASSERT_TRUE(succeeded(run("which strace")));
  write_random_file(s("data.bin"), 2 * 1024 * 1024, 90);
  ASSERT_TRUE(succeeded(run("cp " + qs("data.bin") + " " + qm("data.bin") + " && mkdir " + qm("dir"))));
  for (const char* img : {"messi5.jpg", "HappyFish.jpg", "LinuxLogo.jpg"}) {
    if (run("test -f " + shell_quote(sample_image(img))).status == 0) {
      ASSERT_TRUE(succeeded(run("cp " + shell_quote(sample_image(img)) + " " + qm(std::string("dir/") + img))));
    }
  }
  ASSERT_TRUE(succeeded(run("cat " + qm("data.bin") + " > /dev/null")));
  EXPECT_TRUE(same_bytes(s("data.bin"), m("data.bin")));
  // Before the slow part: under strace (and sanitizers) reading every
  // sidecar can outlast the short TTL this test uses.
  EXPECT_TRUE(succeeded(run("setfattr -n user.tag -v secret " + qm("data.bin"))));
  ASSERT_TRUE(succeeded(run("rm " + qm("data.bin"))));
  // Read whatever sidecars exist (analysis runs on first read), tolerating none.
  auto r = run("cd " + qm("dir") + " && for f in *.json; do [ -e \"$f\" ] && cat \"$f\" > /dev/null; done; true",
               180);
  EXPECT_TRUE(succeeded(r));
  // Let the TTL expire the rest (files, then the directory).
  EXPECT_TRUE(poll_until([&] { return list().empty(); }, seconds(90)));

  unmount_and_check();
  const std::string trace = read_local_file(temp_dir() + "/trace.txt");
  ASSERT_FALSE(trace.empty()) << "strace wrote nothing";
  auto findings = analyze_trace(trace, mnt());
  EXPECT_GT(findings.lines, 0);
  EXPECT_TRUE(findings.writable_opens.count("/dev/fuse")) << "the trace does not show /dev/fuse: wrong trace?";
  std::ostringstream report;
  for (const auto& v : findings.violations) report << "  " << v << "\n";
  std::cout << "[ info     ] " << findings.lines << " traced calls, " << findings.own_mount_removals
            << " evictor removals through the mount\n";
  EXPECT_TRUE(findings.violations.empty()) << findings.violations.size()
                                           << " file-writing call(s):\n" << report.str();
}

// setpriv drops CAP_SYS_PTRACE for both the daemon and the probe: between two
// root processes without it, /proc/PID/mem opens only if the target is
// dumpable. A dumpable control process proves the probe can succeed.
const std::vector<std::string> kNoPtrace = {"setpriv", "--inh-caps=-sys_ptrace", "--bounding-set=-sys_ptrace",
                                            "--"};

std::string probe_mem(pid_t pid) {
  std::string cmd;
  for (const auto& a : kNoPtrace) cmd += a + " ";
  cmd += python3() + " -c \"import errno,sys\ntry:\n  open('/proc/" + std::to_string(pid) +
         "/mem','rb'); print('READABLE')\nexcept OSError as e:\n  print(errno.errorcode[e.errno])\"";
  return run(cmd).out;
}

class PrivacyProcessTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"ttl=1h"}, kNoPtrace, {}}; }
};

TEST_F(PrivacyProcessTest, NotDumpableAndNoCoreFiles) {
  const pid_t pid = daemon_pid();
  ASSERT_GT(pid, 0);

  // RLIMIT_CORE: /proc/PID/limits "Max core file size  SOFT  HARD  bytes".
  const std::string limits = read_local_file("/proc/" + std::to_string(pid) + "/limits");
  std::istringstream in(limits);
  std::string line;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.rfind("Max core file size", 0) != 0) continue;
    found = true;
    std::istringstream fields(line.substr(std::string("Max core file size").size()));
    std::string soft, hard;
    fields >> soft >> hard;
    EXPECT_EQ(soft, "0") << line;
    std::cout << "[ info     ] daemon " << line << "\n";
  }
  EXPECT_TRUE(found) << limits;

  std::vector<std::string> control_argv = kNoPtrace;
  control_argv.insert(control_argv.end(), {"sleep", "120"});
  const pid_t control = spawn(control_argv, -1);
  EXPECT_TRUE(poll_until(
      [&] {
        std::error_code err;
        auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(control) + "/exe", err);
        return !err && exe.filename() == "sleep";
      },
      seconds(10)));
  const std::string control_result = probe_mem(control);
  kill(control, SIGKILL);
  waitpid(control, nullptr, 0);
  if (control_result != "READABLE\n")
    GTEST_SKIP() << "the /proc/PID/mem probe cannot tell dumpable processes apart here: " << control_result;

  EXPECT_EQ(probe_mem(pid), "EACCES\n") << "daemon is dumpable (PR_SET_DUMPABLE 0 not in effect)";
  // Only in the mount's own files: the daemon holds no other writable file.
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const std::string num = fd.path().filename();
    if (std::stoi(num) <= 2) continue;  // stdio is the test's log
    auto target = std::filesystem::read_symlink(fd.path(), ec).string();
    const std::string info = read_local_file("/proc/" + std::to_string(pid) + "/fdinfo/" + num);
    auto pos = info.find("flags:");
    if (pos == std::string::npos || target.empty() || target[0] != '/') continue;
    const int flags = std::stoi(info.substr(pos + 6), nullptr, 8);
    if ((flags & O_ACCMODE) != O_RDONLY) {
      EXPECT_TRUE(kWritableAllowed.count(target)) << "fd " << num << " open for writing on " << target;
    }
  }
}

}  // namespace
}  // namespace visionfs::itest
