// Ordinary tools on the mount: every result compared byte for byte with the
// source files in the scratch directory (outside the mount).

#include <sstream>

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

class ToolsTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"max_memory=256M", "ttl=1h"}, {}, {}}; }

  // A source tree with nested directories and sizes around page and block
  // boundaries, including an empty file and an empty directory.
  void make_tree(const std::string& root) {
    ASSERT_TRUE(succeeded(run("mkdir -p " + shell_quote(root) + "/a/b/c " + shell_quote(root) +
                              "/a/empty " + shell_quote(root) + "/d")));
    const std::pair<const char*, std::uint64_t> files[] = {
        {"top.bin", 1},           {"zero.bin", 0},           {"a/page.bin", 4096},
        {"a/page1.bin", 4097},    {"a/b/below.bin", 4095},   {"a/b/c/big.bin", 2 * kMiB + 3},
        {"d/odd name.bin", 131073}, {"d/mid.bin", 700001},
    };
    std::uint64_t seed = 10;
    for (const auto& [rel, size] : files) write_random_file(root + "/" + rel, size, seed++);
  }
};

TEST_F(ToolsTest, CpCatCmpMvRm) {
  write_random_file(s("src.bin"), 3 * kMiB + 12345, 1);
  ASSERT_TRUE(succeeded(run("cp " + qs("src.bin") + " " + qm("copy.bin"))));
  EXPECT_TRUE(same_bytes(s("src.bin"), m("copy.bin")));

  ASSERT_TRUE(succeeded(run("cat " + qm("copy.bin") + " > " + qs("cat.out"))));
  EXPECT_TRUE(same_bytes(s("src.bin"), s("cat.out")));

  ASSERT_TRUE(succeeded(run("cp " + qm("copy.bin") + " " + qs("back.bin"))));
  EXPECT_TRUE(same_bytes(s("src.bin"), s("back.bin")));

  // cp onto an existing, larger file truncates it first.
  write_random_file(s("small.bin"), 1000, 2);
  ASSERT_TRUE(succeeded(run("cp " + qs("small.bin") + " " + qm("copy.bin"))));
  EXPECT_TRUE(same_bytes(s("small.bin"), m("copy.bin")));

  ASSERT_TRUE(succeeded(run("mv " + qm("copy.bin") + " " + qm("moved.bin"))));
  EXPECT_EQ(list(), std::vector<std::string>{"moved.bin"});
  EXPECT_TRUE(same_bytes(s("small.bin"), m("moved.bin")));

  // mv out of the mount crosses filesystems: copy, then unlink on the mount.
  ASSERT_TRUE(succeeded(run("mv " + qm("moved.bin") + " " + qs("out.bin"))));
  EXPECT_TRUE(same_bytes(s("small.bin"), s("out.bin")));
  EXPECT_TRUE(list().empty());

  ASSERT_TRUE(succeeded(run("cp " + qs("src.bin") + " " + qm("x.bin") + " && rm " + qm("x.bin"))));
  EXPECT_TRUE(list().empty());
  auto r = run("cat " + qm("x.bin"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.describe();
}

TEST_F(ToolsTest, MkdirPAndRmdir) {
  ASSERT_TRUE(succeeded(run("mkdir -p " + qm("p/q/r/s"))));
  EXPECT_EQ(list("p/q/r"), std::vector<std::string>{"s"});
  ASSERT_TRUE(succeeded(run("echo hi > " + qm("p/q/file"))));

  auto r = run("rmdir " + qm("p/q"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Directory not empty"), std::string::npos) << r.describe();

  // Relative to the mountpoint, so rmdir -p stops at the mount's root.
  ASSERT_TRUE(succeeded(
      run("rm " + qm("p/q/file") + " && cd " + shell_quote(mnt()) + " && rmdir -p p/q/r/s")));
  EXPECT_TRUE(list().empty());
}

TEST_F(ToolsTest, RsyncTreeRoundTrip) {
  make_tree(s("tree"));
  ASSERT_TRUE(succeeded(run("rsync -a " + qs("tree") + "/ " + qm("tree") + "/", 120)));
  EXPECT_TRUE(succeeded(run("diff -r " + qs("tree") + " " + qm("tree"))));
  // Checksums, not sizes and times: rsync must find nothing to transfer.
  auto r = run("rsync -a --checksum --dry-run --itemize-changes " + qs("tree") + "/ " + qm("tree") + "/",
               120);
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "") << "rsync sees differences:\n" << r.out;

  ASSERT_TRUE(succeeded(run("rsync -a " + qm("tree") + "/ " + qs("back") + "/", 120)));
  EXPECT_TRUE(succeeded(run("diff -r " + qs("tree") + " " + qs("back"))));
  // rsync -a keeps modes and mtimes: both must survive the mount. Only
  // files' mtimes: rsync (3.5 here) leaves a directory's time alone when it
  // matches to the second, even on local disks.
  const std::string listing =
      " && { find . -type f -printf '%P %m %s %T@\\n'; find . -type d -printf '%P %m\\n'; } | sort";
  auto want = run("cd " + qs("tree") + listing);
  auto got = run("cd " + qs("back") + listing);
  ASSERT_TRUE(succeeded(want));
  ASSERT_TRUE(succeeded(got));
  EXPECT_EQ(want.out, got.out);
}

TEST_F(ToolsTest, TarIntoAndOutOfMount) {
  make_tree(s("tree"));
  ASSERT_TRUE(succeeded(run("tar -C " + qs("tree") + " -cf " + qs("in.tar") + " .")));
  ASSERT_TRUE(succeeded(run("mkdir " + qm("x") + " && tar -C " + qm("x") + " -xf " + qs("in.tar"), 120)));
  EXPECT_TRUE(succeeded(run("diff -r " + qs("tree") + " " + qm("x"))));

  // Archive made from the mount, extracted outside.
  ASSERT_TRUE(succeeded(run("tar -C " + qm("x") + " -cf " + qs("out.tar") + " .", 120)));
  ASSERT_TRUE(succeeded(run("mkdir " + qs("y") + " && tar -C " + qs("y") + " -xf " + qs("out.tar"))));
  EXPECT_TRUE(succeeded(run("diff -r " + qs("tree") + " " + qs("y"))));

  // The archive itself written into the mount and read back.
  ASSERT_TRUE(succeeded(run("tar -C " + qs("tree") + " -cf " + qm("archive.tar") + " .", 120)));
  ASSERT_TRUE(succeeded(run("mkdir " + qs("z") + " && tar -C " + qs("z") + " -xf " + qm("archive.tar"))));
  EXPECT_TRUE(succeeded(run("diff -r " + qs("tree") + " " + qs("z"))));
  EXPECT_TRUE(succeeded(run("tar -tf " + qm("archive.tar") + " > /dev/null")));
}

TEST_F(ToolsTest, DdBlockSizesAndNotruncOverwrite) {
  write_random_file(s("src8.bin"), 8 * kMiB, 3);
  ASSERT_TRUE(succeeded(
      run("dd if=" + qs("src8.bin") + " of=" + qm("dd8.bin") + " bs=1M count=8 status=none", 120)));
  EXPECT_TRUE(same_bytes(s("src8.bin"), m("dd8.bin")));
  ASSERT_TRUE(succeeded(
      run("dd if=" + qm("dd8.bin") + " of=" + qs("dd8.out") + " bs=1M status=none", 120)));
  EXPECT_TRUE(same_bytes(s("src8.bin"), s("dd8.out")));

  // Small odd block sizes in both directions.
  write_random_file(s("odd.bin"), 100003, 4);
  ASSERT_TRUE(succeeded(run("dd if=" + qs("odd.bin") + " of=" + qm("odd.bin") + " bs=777 status=none")));
  EXPECT_TRUE(same_bytes(s("odd.bin"), m("odd.bin")));
  ASSERT_TRUE(succeeded(run("dd if=" + qm("odd.bin") + " of=" + qs("odd.out") + " bs=333 status=none")));
  EXPECT_TRUE(same_bytes(s("odd.bin"), s("odd.out")));
  ASSERT_TRUE(succeeded(run("dd if=" + qs("odd.bin") + " of=" + qm("odd1.bin") +
                            " bs=1 count=5000 status=none")));
  auto r = run("head -c 5000 " + qs("odd.bin") + " | cmp - " + qm("odd1.bin"));
  EXPECT_TRUE(succeeded(r));

  // conv=notrunc: overwrite in the middle, same command on a local copy.
  write_random_file(s("patch.bin"), 70001, 5);
  ASSERT_TRUE(succeeded(run("cp " + qs("src8.bin") + " " + qs("expected.bin"))));
  for (const std::string& target : {s("expected.bin"), m("dd8.bin")}) {
    ASSERT_TRUE(succeeded(run("dd if=" + qs("patch.bin") + " of=" + shell_quote(target) +
                              " bs=4099 seek=3000001 oflag=seek_bytes conv=notrunc status=none")));
  }
  EXPECT_TRUE(same_bytes(s("expected.bin"), m("dd8.bin")));
  r = run("stat -c %s " + qm("dd8.bin"));
  EXPECT_EQ(r.out, std::to_string(8 * kMiB) + "\n");

  // Without notrunc, dd truncates at the end of what it wrote.
  ASSERT_TRUE(succeeded(run("dd if=" + qs("patch.bin") + " of=" + qm("dd8.bin") +
                            " bs=1000 seek=1 status=none")));
  r = run("stat -c %s " + qm("dd8.bin"));
  EXPECT_EQ(r.out, std::to_string(1000 + 70001) + "\n");
}

TEST_F(ToolsTest, TruncateGrowsWithZerosAndShrinks) {
  write_random_file(s("t.bin"), 1000003, 6);
  ASSERT_TRUE(succeeded(run("cp " + qs("t.bin") + " " + qm("t.bin"))));

  for (const char* size : {"5000000", "+4097", "12345", "0", "8191"}) {
    for (const std::string& target : {s("t.bin"), m("t.bin")})
      ASSERT_TRUE(succeeded(run(std::string("truncate -s ") + size + " " + shell_quote(target))));
    EXPECT_TRUE(same_bytes(s("t.bin"), m("t.bin"))) << "after truncate -s " << size;
    auto want = run("stat -c %s " + qs("t.bin"));
    auto got = run("stat -c %s " + qm("t.bin"));
    EXPECT_EQ(want.out, got.out) << "after truncate -s " << size;
  }
  // A new file grown by truncate reads as zeros.
  ASSERT_TRUE(succeeded(run("truncate -s 1M " + qm("zeros.bin"))));
  EXPECT_TRUE(succeeded(run("cmp -n 1048576 " + qm("zeros.bin") + " /dev/zero")));
  EXPECT_EQ(run("stat -c %s " + qm("zeros.bin")).out, "1048576\n");
}

TEST_F(ToolsTest, PythonSeekWriteReadStatMmap) {
  write_random_file(s("big.bin"), 5 * kMiB + 17, 7);
  ASSERT_TRUE(succeeded(run("cp " + qs("big.bin") + " " + qm("big.bin"))));
  const std::string script = R"PY(
import hashlib, mmap, os, sys
mnt, src = sys.argv[1], sys.argv[2]
p = os.path.join(mnt, 'py.bin')
with open(p, 'w+b') as f:
    f.write(b'A' * 10000)
    f.seek(5000); f.write(b'hello')
    f.seek(0); d = f.read()
    assert d == b'A' * 5000 + b'hello' + b'A' * 4995, 'read back after seek+write'
    f.seek(20000); f.write(b'Z')
    f.flush()
    assert os.fstat(f.fileno()).st_size == 20001, os.fstat(f.fileno()).st_size
assert os.stat(p).st_size == 20001, os.stat(p).st_size
with open(p, 'rb') as f:
    d = f.read()
assert d[10000:20000] == bytes(10000) and d[-1:] == b'Z', 'hole must read as zeros'
with open(p, 'rb') as f:
    mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    assert len(mm) == 20001 and mm[:] == d, 'mmap of small file'
    mm.close()
os.truncate(p, 100)
assert os.stat(p).st_size == 100
with open(p, 'ab') as f:
    f.write(b'END')
assert open(p, 'rb').read() == b'A' * 100 + b'END', 'append'
big = os.path.join(mnt, 'big.bin')
want = open(src, 'rb').read()
assert os.stat(big).st_size == len(want), (os.stat(big).st_size, len(want))
with open(big, 'rb') as f:
    mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    assert hashlib.sha256(mm[:]).digest() == hashlib.sha256(want).digest(), 'mmap of large file'
    assert mm[4096 * 300:4096 * 300 + 10] == want[4096 * 300:4096 * 300 + 10]
    mm.close()
with open(big, 'r+b') as f:
    f.seek(-17, os.SEEK_END)
    assert f.read() == want[-17:], 'read tail after SEEK_END'
    f.seek(1234567); f.write(b'patched')
want = want[:1234567] + b'patched' + want[1234567 + 7:]
assert open(big, 'rb').read() == want, 'read after in-place patch'
print('OK')
)PY";
  auto r = run(python3() + " - " + shell_quote(mnt()) + " " + qs("big.bin") + " <<'EOF'\n" + script +
               "\nEOF\n");
  EXPECT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "OK\n") << r.describe();
}

TEST_F(ToolsTest, LsAndStatShowExactSizes) {
  const std::uint64_t sizes[] = {0, 1, 4095, 4096, 4097, 65537, 1000003};
  ASSERT_TRUE(succeeded(run("mkdir " + qm("sizes"))));
  for (auto size : sizes) {
    write_random_file(s("f" + std::to_string(size)), size, size + 100);
    ASSERT_TRUE(succeeded(run("cp " + qs("f" + std::to_string(size)) + " " +
                              qm("sizes/f" + std::to_string(size)))));
  }
  auto r = run("ls -l " + qm("sizes"));
  ASSERT_TRUE(succeeded(r));
  std::istringstream in(r.out);
  std::string line;
  int seen = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string mode, links, owner, group, size, month, day, time, name;
    if (!(fields >> mode >> links >> owner >> group >> size >> month >> day >> time >> name)) continue;
    ++seen;
    EXPECT_EQ("f" + size, name) << line;
    EXPECT_EQ(mode[0], '-') << line;
  }
  EXPECT_EQ(seen, 7) << r.out;
  for (auto size : sizes) {
    EXPECT_EQ(run("stat -c %s " + qm("sizes/f" + std::to_string(size))).out,
              std::to_string(size) + "\n");
    EXPECT_TRUE(same_bytes(s("f" + std::to_string(size)), m("sizes/f" + std::to_string(size))));
  }
}

TEST_F(ToolsTest, UnsupportedNodeTypesFailCleanly) {
  ASSERT_TRUE(succeeded(run("echo data > " + qm("target"))));
  // errno names of the refusal, decided by the daemon; any of these is clean.
  const std::string script = R"PY(
import errno, os, sys
m = sys.argv[1]
def attempt(fn):
    try:
        fn(); return 'succeeded'
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
print('symlink', attempt(lambda: os.symlink('target', os.path.join(m, 'sl'))))
print('link', attempt(lambda: os.link(os.path.join(m, 'target'), os.path.join(m, 'hl'))))
print('mkfifo', attempt(lambda: os.mkfifo(os.path.join(m, 'fifo'))))
print('mknod', attempt(lambda: os.mknod(os.path.join(m, 'node'), 0o600 | 0o020000, os.makedev(1, 3))))
)PY";
  auto r = run(python3() + " - " + shell_quote(mnt()) + " <<'EOF'\n" + script + "\nEOF\n");
  ASSERT_TRUE(succeeded(r));
  std::istringstream in(r.out);
  std::string op, result;
  int seen = 0;
  while (in >> op >> result) {
    ++seen;
    EXPECT_TRUE(result == "EPERM" || result == "ENOSYS" || result == "EOPNOTSUPP")
        << op << " gave " << result;
  }
  EXPECT_EQ(seen, 4) << r.describe();
  EXPECT_EQ(list(), std::vector<std::string>{"target"});
  EXPECT_EQ(run("cat " + qm("target")).out, "data\n");
  std::cout << "[ info     ] unsupported node types: " << r.out;
}

TEST_F(ToolsTest, ControlDirectoryIsListedAndReadable) {
  auto r = run("ls -A " + shell_quote(mnt()));
  ASSERT_TRUE(succeeded(r));
  EXPECT_NE(r.out.find(".visionfs"), std::string::npos) << r.out;
  r = run("ls " + shell_quote(mnt()));
  EXPECT_EQ(r.out.find(".visionfs"), std::string::npos) << "plain ls must not show it: " << r.out;
  for (const char* name : {"stats.json", "config.json"}) {
    r = run(python3() + " -c 'import json,sys; json.load(open(sys.argv[1]))' " +
            qm(std::string(".visionfs/") + name));
    EXPECT_TRUE(succeeded(r)) << name;
  }
}

class DfTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"max_memory=64M", "ttl=1h"}, {}, {}}; }

  struct Df {
    std::uint64_t block = 0, size = 0, used = 0, avail = 0;
  };
  Df df() {
    Df d;
    auto r = run("stat -f -c '%S %b %f %a' " + shell_quote(mnt()));
    std::istringstream in(r.out);
    std::uint64_t blocks = 0, bfree = 0, bavail = 0;
    EXPECT_TRUE(in >> d.block >> blocks >> bfree >> bavail) << r.describe();
    d.size = blocks * d.block;
    d.used = (blocks - bfree) * d.block;
    d.avail = bavail * d.block;
    return d;
  }
};

TEST_F(DfTest, SizeIsTheBudgetAndUsedGrowsWithWrites) {
  auto before = df();
  ASSERT_GT(before.block, 0u);
  const std::uint64_t budget = 64 * kMiB;
  EXPECT_LE(before.size > budget ? before.size - budget : budget - before.size, before.block)
      << "size " << before.size << " block " << before.block;

  // The same figure through df(1) itself.
  auto r = run("df -B1 --output=size " + shell_quote(mnt()) + " | tail -n 1");
  ASSERT_TRUE(succeeded(r));
  std::uint64_t df_size = std::stoull(r.out);
  EXPECT_LE(df_size > budget ? df_size - budget : budget - df_size, before.block) << r.out;

  write_random_file(s("four.bin"), 4 * kMiB, 8);
  ASSERT_TRUE(succeeded(run("cp " + qs("four.bin") + " " + qm("four.bin"))));
  auto after = df();
  EXPECT_GE(after.used, before.used + 4 * kMiB - after.block)
      << "used before " << before.used << " after " << after.used;
  EXPECT_LE(after.avail + 4 * kMiB - after.block, before.avail);

  ASSERT_TRUE(succeeded(run("rm " + qm("four.bin"))));
  auto freed = df();
  EXPECT_LE(freed.used, before.used + freed.block) << "used after rm " << freed.used;
}

}  // namespace
}  // namespace visionfs::itest
