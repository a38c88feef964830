// Expiry with -o ttl=2s, as users and file browsers see it: files leave
// listings, a directory watcher gets IN_DELETE, an open reader keeps its
// bytes, and emptied directories go one TTL later. The root never expires.
//
// These tests wait on real time (there is no other way to observe the
// daemon), with deadlines far above the TTL and no assertion on timing.

#include <chrono>

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

using std::chrono::seconds;
constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr auto kExpiryDeadline = seconds(60);

class TtlTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"ttl=2s", "max_memory=128M"}, {}, {}}; }

  // Starts inotifywait on the mount and waits until its watches are set up.
  std::unique_ptr<BackgroundProcess> watch(const std::string& args) {
    auto w = std::make_unique<BackgroundProcess>("exec inotifywait -m " + args + " " + shell_quote(mnt()),
                                                 s("inotify.out"), s("inotify.err"));
    bool ready = poll_until([&] { return w->stderr_text().find("Watches established") != std::string::npos; },
                            seconds(20));
    EXPECT_TRUE(ready) << "inotifywait did not start: " << w->stderr_text();
    return w;
  }
};

TEST_F(TtlTest, ExpiredFilesLeaveListingsAndWatchersSeeDelete) {
  auto watcher = watch("-e delete --format '%e %f'");
  const std::vector<std::string> names = {"a.bin", "b.bin", "notes.txt"};
  for (size_t i = 0; i < names.size(); ++i) {
    write_random_file(s(names[i]), 100000 * (i + 1), 40 + i);
    ASSERT_TRUE(succeeded(run("cp " + qs(names[i]) + " " + qm(names[i]))));
  }
  for (const auto& n : names) {
    bool seen = poll_until(
        [&] { return watcher->stdout_text().find("DELETE " + n + "\n") != std::string::npos; },
        kExpiryDeadline);
    EXPECT_TRUE(seen) << "no DELETE event for " << n << "; inotifywait printed:\n"
                      << watcher->stdout_text() << "\nls: " << run("ls -A " + shell_quote(mnt())).out;
  }
  EXPECT_TRUE(poll_until([&] { return list().empty(); }, kExpiryDeadline))
      << run("ls -A " + shell_quote(mnt())).out;
  for (const auto& n : names) {
    auto r = run("stat " + qm(n));
    EXPECT_NE(r.status, 0) << n << " still reachable by name: " << r.out;
  }
  watcher->stop();
}

TEST_F(TtlTest, ReaderOpenedBeforeExpiryReadsEverything) {
  write_random_file(s("long.bin"), 4 * kMiB + 5, 50);
  // The reader opens its descriptor while the writer's is still open, so it
  // is surely open before expiry (counted from the last modification). It
  // then waits until the name is gone and only after that reads the bulk.
  const std::string script = R"PY(
import os, sys, time
path, src = sys.argv[1], sys.argv[2]
want = open(src, 'rb').read()
w = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for off in range(0, len(want), 1 << 20):
    os.write(w, want[off:off + (1 << 20)])
r = os.open(path, os.O_RDONLY)
os.close(w)
got = os.read(r, 4096)
d, name = os.path.split(path)
deadline = time.monotonic() + 60
while name in os.listdir(d):
    if time.monotonic() > deadline:
        print('NOT-EXPIRED'); sys.exit(1)
    time.sleep(0.05)
print('expired-while-open', flush=True)
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    got += chunk
    time.sleep(0.002)
os.close(r)
print('OK' if got == want else 'MISMATCH got %d bytes, want %d' % (len(got), len(want)))
try:
    os.stat(path); print('STILL-THERE')
except FileNotFoundError:
    print('GONE')
)PY";
  auto r = run(python3() + " - " + qm("long.bin") + " " + qs("long.bin") + " <<'EOF'\n" + script + "\nEOF\n",
               120);
  EXPECT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "expired-while-open\nOK\nGONE\n") << r.describe();
}

TEST_F(TtlTest, ReadingDoesNotExtendTheTtl) {
  write_random_file(s("read.bin"), 300000, 60);
  ASSERT_TRUE(succeeded(run("cp " + qs("read.bin") + " " + qm("read.bin"))));
  // Reads the file (fresh open each time) every 100 ms until it is gone.
  const std::string script = R"PY(
import os, sys, time
p = sys.argv[1]
deadline = time.monotonic() + 60
reads = 0
while time.monotonic() < deadline:
    try:
        with open(p, 'rb') as f:
            f.read()
        os.stat(p)
        reads += 1
    except FileNotFoundError:
        print('GONE'); sys.exit(0)
    time.sleep(0.1)
print('STILL THERE after %d reads' % reads); sys.exit(1)
)PY";
  auto r = run(python3() + " - " + qm("read.bin") + " <<'EOF'\n" + script + "\nEOF\n", 120);
  EXPECT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "GONE\n");
}

TEST_F(TtlTest, FilesInSubdirectoriesExpireThenEmptyDirectoriesThenNotTheRoot) {
  ASSERT_TRUE(succeeded(run("mkdir -p " + qm("sub/deeper"))));
  // Directories exist before the watch starts: -r adds watches for the
  // directories it finds.
  auto watcher = watch("-r -e delete --format '%e %w%f'");
  write_random_file(s("one.bin"), 5000, 70);
  write_random_file(s("two.bin"), 70000, 71);
  ASSERT_TRUE(succeeded(run("cp " + qs("one.bin") + " " + qm("sub/one.bin") + " && cp " + qs("two.bin") +
                            " " + qm("sub/deeper/two.bin"))));

  for (const std::string rel : {"sub/one.bin", "sub/deeper/two.bin"}) {
    bool seen = poll_until(
        [&] { return watcher->stdout_text().find("DELETE " + m(rel) + "\n") != std::string::npos; },
        kExpiryDeadline);
    EXPECT_TRUE(seen) << "no DELETE event for " << rel << "; inotifywait printed:\n" << watcher->stdout_text();
  }
  // Then the emptied directories, innermost first, and the root stays.
  EXPECT_TRUE(poll_until([&] { return list().empty(); }, kExpiryDeadline))
      << run("ls -AR " + shell_quote(mnt())).out;
  const std::string sub_gone = "DELETE,ISDIR " + m("sub") + "\n";
  poll_until([&] { return watcher->stdout_text().find(sub_gone) != std::string::npos; }, kExpiryDeadline);
  watcher->stop();
  const std::string events = watcher->stdout_text();
  const auto first_file = std::min(events.find("DELETE " + m("sub/one.bin")), events.find("DELETE " + m("sub/deeper/two.bin")));
  const auto last_file = std::max(events.find("DELETE " + m("sub/one.bin")), events.find("DELETE " + m("sub/deeper/two.bin")));
  const auto deeper = events.find("DELETE,ISDIR " + m("sub/deeper") + "\n");
  const auto sub = events.find(sub_gone);
  ASSERT_NE(first_file, std::string::npos) << events;
  ASSERT_NE(deeper, std::string::npos) << events;
  ASSERT_NE(sub, std::string::npos) << events;
  EXPECT_LT(last_file, deeper) << "files go before their directories:\n" << events;
  EXPECT_LT(deeper, sub) << "the innermost directory goes first:\n" << events;

  EXPECT_EQ(mount_fstype(mnt()).value_or(""), "fuse.visionfs");
  auto r = run("ls -A " + shell_quote(mnt()));
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, ".visionfs\n");
  // The root still works as a directory.
  EXPECT_TRUE(succeeded(run("mkdir " + qm("again") + " && rmdir " + qm("again"))));
}

TEST_F(TtlTest, AnEmptyDirectoryExpiresOnItsOwn) {
  ASSERT_TRUE(succeeded(run("mkdir " + qm("lonely"))));
  EXPECT_TRUE(poll_until([&] { return list().empty(); }, kExpiryDeadline));
  auto r = run("stat " + qm("lonely"));
  EXPECT_NE(r.status, 0);
}

}  // namespace
}  // namespace visionfs::itest
