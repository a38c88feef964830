// The memory budget: a write past max_memory fails with ENOSPC, nothing
// older is dropped to make room, and removing files gives the space back.

#include <sstream>

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr int kMaxFiles = 40;  // far past 16 MiB: the loop must stop before

class BudgetTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"max_memory=16M", "ttl=1h"}, {}, {}}; }

  std::string name(int i) const { return "f" + std::to_string(i) + ".bin"; }

  // Writes 1 MiB files with dd until one fails. Returns how many succeeded;
  // `failure` gets the failing dd's result.
  int fill(const std::string& prefix, CommandResult* failure) {
    for (int i = 0; i < kMaxFiles; ++i) {
      const std::string src = s(prefix + name(i));
      write_random_file(src, kMiB, 1000 + static_cast<std::uint64_t>(i));
      auto r = run("dd if=" + shell_quote(src) + " of=" + qm(prefix + name(i)) + " bs=1M count=1 status=none");
      if (r.status != 0) {
        *failure = r;
        return i;
      }
    }
    return kMaxFiles;
  }

  std::uint64_t used_bytes() {
    auto r = run("stat -f -c '%S %b %f' " + shell_quote(mnt()));
    std::istringstream in(r.out);
    std::uint64_t bsize = 0, blocks = 0, bfree = 0;
    EXPECT_TRUE(in >> bsize >> blocks >> bfree) << r.describe();
    return (blocks - bfree) * bsize;
  }
};

TEST_F(BudgetTest, FillUntilNoSpaceKeepsEveryEarlierFile) {
  CommandResult failure;
  int written = fill("", &failure);
  ASSERT_LT(written, kMaxFiles) << "no ENOSPC after " << kMaxFiles << " MiB with max_memory=16M";
  EXPECT_GE(written, 12) << "16 MiB budget held only " << written << " MiB of files";
  EXPECT_LE(written, 16);
  EXPECT_NE(failure.err.find("No space left on device"), std::string::npos) << failure.describe();

  for (int i = 0; i < written; ++i) EXPECT_TRUE(same_bytes(s(name(i)), m(name(i)))) << name(i);

  // The failed file holds at most what fitted; removing it and two earlier
  // files makes room for two new ones.
  auto before = used_bytes();
  ASSERT_TRUE(succeeded(run("rm -f " + qm(name(written)) + " && rm " + qm(name(0)) + " " + qm(name(1)))));
  auto after = used_bytes();
  EXPECT_LE(after + 2 * kMiB, before + 4096) << "used before rm " << before << " after " << after;

  for (const char* extra : {"g1.bin", "g2.bin"}) {
    write_random_file(s(extra), kMiB, 77);
    EXPECT_TRUE(succeeded(run("cp " + qs(extra) + " " + qm(extra))));
    EXPECT_TRUE(same_bytes(s(extra), m(extra)));
  }
  for (int i = 2; i < written; ++i) EXPECT_TRUE(same_bytes(s(name(i)), m(name(i)))) << name(i);
}

TEST_F(BudgetTest, OversizedFileFailsAndNothingIsDropped) {
  for (int i = 0; i < 3; ++i) {
    write_random_file(s(name(i)), kMiB, 2000 + static_cast<std::uint64_t>(i));
    ASSERT_TRUE(succeeded(run("cp " + qs(name(i)) + " " + qm(name(i)))));
  }
  write_random_file(s("huge.bin"), 20 * kMiB, 3000);
  auto r = run("cp " + qs("huge.bin") + " " + qm("huge.bin"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.describe();

  for (int i = 0; i < 3; ++i) EXPECT_TRUE(same_bytes(s(name(i)), m(name(i)))) << name(i);
  // Whatever part of huge.bin was stored is a prefix of it, never garbage.
  auto size = run("stat -c %s " + qm("huge.bin"));
  if (size.status == 0) {
    auto n = std::stoull(size.out);
    EXPECT_LT(n, 20 * kMiB);
    EXPECT_TRUE(succeeded(run("cmp -n " + std::to_string(n) + " " + qm("huge.bin") + " " + qs("huge.bin"))));
    ASSERT_TRUE(succeeded(run("rm " + qm("huge.bin"))));
  }
  EXPECT_LE(used_bytes(), 3 * kMiB + 64 * 1024) << "space of the failed copy was not released";
}

TEST_F(BudgetTest, ErrnoIsEnospcForPython) {
  const std::string script = R"PY(
import errno, os, sys
p = sys.argv[1]
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
chunk = b'\x01' * (1024 * 1024)
err = None
try:
    for i in range(40):
        os.write(fd, chunk)
    os.fsync(fd)
except OSError as e:
    err = e.errno
try:
    os.close(fd)
except OSError as e:
    err = err or e.errno
print(errno.errorcode.get(err, err))
)PY";
  auto r = run(python3() + " - " + qm("py.bin") + " <<'EOF'\n" + script + "\nEOF\n");
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "ENOSPC\n");
}

TEST_F(BudgetTest, SpaceIsReusableAfterRemovingEverything) {
  CommandResult failure;
  int first = fill("a", &failure);
  ASSERT_LT(first, kMaxFiles);
  ASSERT_TRUE(succeeded(run("rm -f " + shell_quote(mnt()) + "/a*")));
  EXPECT_TRUE(list().empty());
  int second = fill("b", &failure);
  EXPECT_EQ(first, second) << "the same budget held " << first << " then " << second << " files";
  for (int i = 0; i < second; ++i) EXPECT_TRUE(same_bytes(s("b" + name(i)), m("b" + name(i))));
}

}  // namespace
}  // namespace visionfs::itest
