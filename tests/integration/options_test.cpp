// The command line: --help, --version, bad options (no mount, clear message),
// the mount.fuse3 form with a leading source argument, daemonizing without
// -f, and `mount -t fuse.visionfs`.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

using std::chrono::seconds;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string bin() { return shell_quote(VISIONFS_BINARY); }

// A mountpoint for tests that start the daemon themselves; whatever happens,
// the destructor unmounts it and removes the directory.
class ScratchMountpoint {
 public:
  ScratchMountpoint() {
    char templ[] = "/tmp/visionfs-opt-XXXXXX";
    if (mkdtemp(templ)) path_ = templ;
  }
  ~ScratchMountpoint() {
    if (path_.empty()) return;
    if (mount_fstype(path_)) {
      run("fusermount3 -u " + shell_quote(path_), 30);
      if (mount_fstype(path_)) run("fusermount3 -uz " + shell_quote(path_), 30);
    }
    if (!mount_fstype(path_)) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  ScratchMountpoint(const ScratchMountpoint&) = delete;
  ScratchMountpoint& operator=(const ScratchMountpoint&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(OptionsTest, HelpPrintsUsageAndExitsZero) {
  auto r = run(bin() + " --help", 20);
  EXPECT_EQ(r.status, 0) << r.describe();
  const std::string text = lower(r.out + r.err);
  EXPECT_NE(text.find("usage"), std::string::npos) << r.describe();
  for (const char* option : {"max_memory", "ttl", "analyzers", "precompute", "models"})
    EXPECT_NE(text.find(option), std::string::npos) << "--help does not mention " << option;
}

TEST(OptionsTest, VersionPrintsAVersionAndExitsZero) {
  auto r = run(bin() + " --version", 20);
  EXPECT_EQ(r.status, 0) << r.describe();
  EXPECT_TRUE(std::regex_search(r.out + r.err, std::regex(R"(\d+\.\d+\.\d+)"))) << r.describe();
  EXPECT_NE(lower(r.out + r.err).find("visionfs"), std::string::npos) << r.describe();
}

TEST(OptionsTest, BadOptionValuesFailClearlyWithoutMounting) {
  const std::pair<const char*, const char*> cases[] = {
      {"ttl=banana", "ttl"},
      {"ttl=10parsecs", "ttl"},
      {"max_memory=lots", "max_memory"},
      {"max_memory=12Q", "max_memory"},
  };
  for (const auto& [option, mentions] : cases) {
    ScratchMountpoint mp;
    ASSERT_FALSE(mp.path().empty());
    auto r = run(bin() + " -f -o " + option + " " + shell_quote(mp.path()), 20);
    EXPECT_NE(r.status, 0) << option << ": " << r.describe();
    EXPECT_NE(r.status, 124) << option << ": the daemon was still running after 20 s";
    EXPECT_NE((r.out + r.err).find(mentions), std::string::npos)
        << option << ": the message does not name the option: " << r.describe();
    EXPECT_FALSE(mount_fstype(mp.path())) << option << " left a mount behind";
  }
}

TEST(OptionsTest, MissingMountpointFails) {
  auto r = run(bin(), 20);
  EXPECT_NE(r.status, 0) << r.describe();
  EXPECT_NE(r.status, 124);
  EXPECT_FALSE((r.out + r.err).empty()) << "no message at all";
}

class SourceArgumentTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"ttl=2h"}, {}, {"none"}}; }
};

TEST_F(SourceArgumentTest, LeadingSourceArgumentIsIgnored) {
  ASSERT_TRUE(succeeded(run("echo hello > " + qm("f"))));
  EXPECT_EQ(run("cat " + qm("f")).out, "hello\n");
  EXPECT_FALSE(run("test -e " + shell_quote(mnt() + "/none")).status == 0);
}

TEST(DaemonTest, DaemonizesWithoutF) {
  ScratchMountpoint mp;
  ASSERT_FALSE(mp.path().empty());
  auto r = run(bin() + " -o ttl=1h -o max_memory=32M " + shell_quote(mp.path()), 30);
  ASSERT_EQ(r.status, 0) << "the starting process must exit 0 once mounted: " << r.describe();
  // libfuse's fuse_daemonize lets the parent exit once the mount exists.
  ASSERT_TRUE(poll_until([&] { return mount_fstype(mp.path()).has_value(); }, seconds(20)));
  EXPECT_EQ(mount_fstype(mp.path()).value_or(""), "fuse.visionfs");
  auto w = run("echo daemonized > " + shell_quote(mp.path() + "/f") + " && cat " +
               shell_quote(mp.path() + "/f"));
  EXPECT_TRUE(succeeded(w));
  EXPECT_EQ(w.out, "daemonized\n");
  EXPECT_TRUE(succeeded(run("fusermount3 -u " + shell_quote(mp.path()), 30)));
  EXPECT_FALSE(mount_fstype(mp.path()));
}

bool have_mount_helper() {
  return access("/sbin/mount.fuse3", X_OK) == 0 || access("/usr/sbin/mount.fuse3", X_OK) == 0;
}

// Mounts with mount(8), checks a write and unmounts with umount(8).
void mount_and_use(const std::string& mount_command, const std::string& mountpoint) {
  auto r = run(mount_command, 30);
  ASSERT_EQ(r.status, 0) << r.describe();
  ASSERT_TRUE(poll_until([&] { return mount_fstype(mountpoint).has_value(); }, seconds(20)));
  EXPECT_EQ(mount_fstype(mountpoint).value_or(""), "fuse.visionfs");
  auto w = run("echo via-mount > " + shell_quote(mountpoint + "/f") + " && cat " +
               shell_quote(mountpoint + "/f"));
  EXPECT_EQ(w.out, "via-mount\n") << w.describe();
  EXPECT_TRUE(succeeded(run("umount " + shell_quote(mountpoint), 30)));
  EXPECT_FALSE(mount_fstype(mountpoint));
}

TEST(DaemonTest, MountCommandWithFuseVisionfsType) {
  if (!have_mount_helper()) GTEST_SKIP() << "mount.fuse3 is not installed";
  if (getuid() != 0) GTEST_SKIP() << "mount(8) with a FUSE type needs root here";
  // mount.fuse3 runs `visionfs none MNT -o ...` through /bin/sh with the PATH
  // mount(8) gives helpers (it does not keep the caller's): visionfs must be
  // installed on it.
  ScratchMountpoint mp;
  ASSERT_FALSE(mp.path().empty());
  auto probe = run("mount -t fuse.visionfs none " + shell_quote(mp.path()) + " -o ttl=2h,max_memory=32M", 30);
  if (probe.status != 0 && probe.err.find("not found") != std::string::npos)
    GTEST_SKIP() << "mount.fuse3 cannot find visionfs on its PATH (install it to run this): " << probe.err;
  ASSERT_EQ(probe.status, 0) << probe.describe();
  EXPECT_EQ(mount_fstype(mp.path()).value_or(""), "fuse.visionfs");
  EXPECT_TRUE(succeeded(run("umount " + shell_quote(mp.path()), 30)));
}

TEST(DaemonTest, MountCommandWithProgramInSource) {
  if (!have_mount_helper()) GTEST_SKIP() << "mount.fuse3 is not installed";
  if (getuid() != 0) GTEST_SKIP() << "mount(8) with a FUSE type needs root here";
  // The classic form `mount -t fuse PROGRAM#SOURCE`: mount.fuse3 runs
  // `PROGRAM SOURCE MNT -o ...`, exercising the ignored leading source
  // argument without needing visionfs on PATH.
  ScratchMountpoint mp;
  ASSERT_FALSE(mp.path().empty());
  mount_and_use("mount -t fuse " + shell_quote(std::string(VISIONFS_BINARY) + "#none") + " " +
                    shell_quote(mp.path()) + " -o ttl=2h,max_memory=32M",
                mp.path());
}

}  // namespace
}  // namespace visionfs::itest
