// Directory watchers see sidecar names come and go with their image
// (issue 8): a new image's listed sidecar names arrive with IN_CREATE when
// it is closed; after a rename, inotifywait -m on the directory gets
// IN_DELETE for every listed sidecar name of the old name and IN_CREATE for
// the new ones; after an rm, IN_DELETE, as on expiry. No file browser keeps
// showing ghosts or misses new names.

#include "integration/sidecar_support.h"

#include <signal.h>

#include <fstream>

namespace visionfs::itest {
namespace {

using std::chrono::seconds;

// inotifywait -m on a directory in the background, killed when this goes.
class Watcher {
 public:
  Watcher(const std::string& dir, const std::string& out) : out_(out) {
    const auto r = run("inotifywait -m -e create -e delete -e moved_from -e moved_to --format '%e %f' " + shell_quote(dir) +
                         " > " + shell_quote(out) + " 2> " + shell_quote(out + ".err") + " & echo $!");
    pid_ = std::atoi(r.out.c_str());
  }
  ~Watcher() {
    if (pid_ > 0) kill(pid_, SIGTERM);
  }
  bool ready() const { return read_local_file(out_ + ".err").find("Watches established") != std::string::npos; }
  std::string events() const { return read_local_file(out_); }

 private:
  std::string out_;
  pid_t pid_ = -1;
};

class WatcherEventsTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
  bool saw_all(const Watcher& w, const std::string& event, const std::vector<std::string>& names) {
    return poll_until(
        [&] {
          const std::string events = w.events();
          for (const auto& n : names) {
            if (events.find(event + " " + n + "\n") == std::string::npos) return false;
          }
          return true;
        },
        seconds(20));
  }
};

TEST_F(WatcherEventsTest, SidecarNamesComeAndGoWithTheirImage) {
  Watcher watcher(mnt(), temp_dir() + "/events");
  ASSERT_TRUE(poll_until([&] { return watcher.ready(); }, seconds(20)));
  put("messi5.jpg", "a.jpg");
  const auto listed = sidecar_names("a.jpg", available_analyzers());
  EXPECT_TRUE(saw_all(watcher, "CREATE", listed)) << watcher.events();
  EXPECT_FALSE(read_json("a.jpg.meta.json").contains("error"));  // one computed, the rest only listed
  ASSERT_EQ(list().size(), listed.size() + 1);

  ASSERT_TRUE(succeeded(run("mv " + qm("a.jpg") + " " + qm("b.jpg"))));
  EXPECT_TRUE(saw_all(watcher, "DELETE", listed)) << watcher.events();
  EXPECT_TRUE(saw_all(watcher, "CREATE", sidecar_names("b.jpg", available_analyzers()))) << watcher.events();
  EXPECT_EQ(read_json("b.jpg.meta.json").value("width", 0), 548) << "the announced name reads as before";
  EXPECT_EQ(list().size(), listed.size() + 1);  // b.jpg and its sidecars

  ASSERT_TRUE(succeeded(run("rm " + qm("b.jpg"))));
  EXPECT_TRUE(saw_all(watcher, "DELETE", sidecar_names("b.jpg", available_analyzers()))) << watcher.events();
  EXPECT_TRUE(list().empty());
  // Nothing was removed that should stay: a new image of the old name keeps
  // its sidecars, and the watcher heard no DELETE for them.
  put("messi5.jpg", "a.jpg");
  EXPECT_EQ(list().size(), listed.size() + 1);
}

// The announcements wait for a second of quiet: an unmount right after a
// copy and a rename must not find the evictor holding the mount (EBUSY).
// Without that delay 14 of 20 such unmounts failed, so five tries in a row
// would all pass by luck about once in 400 runs.
TEST(WatcherEventsUnmount, AnUnmountRightAfterACopyAndARenameIsNotBusy) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    StandaloneDaemon daemon("ttl=1h,models=/nonexistent");
    ASSERT_TRUE(daemon.mounted());
    const std::string photo = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg";
    // One shell, as a script would do it: no gap between the rename and the unmount.
    const auto r = run("cp " + shell_quote(photo) + " " + shell_quote(daemon.m("a.jpg")) + " && mv " +
                       shell_quote(daemon.m("a.jpg")) + " " + shell_quote(daemon.m("b.jpg")) +
                       " && fusermount3 -u " + shell_quote(daemon.mnt()));
    EXPECT_TRUE(succeeded(r)) << r.describe();
  }
}

}  // namespace
}  // namespace visionfs::itest
