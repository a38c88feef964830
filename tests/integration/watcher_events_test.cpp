// Directory watchers see sidecar names go with their image (issue 8): after
// a rename or an rm by the user, inotifywait -m on the directory gets
// IN_DELETE for every listed sidecar name of the old name, as it does on
// expiry, so no file browser keeps showing ghosts.

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
    const auto r = run("inotifywait -m -e delete -e moved_from -e moved_to --format '%e %f' " + shell_quote(dir) +
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

TEST_F(WatcherEventsTest, SidecarNamesGoOnRenameAndRm) {
  put("messi5.jpg", "a.jpg");
  EXPECT_FALSE(read_json("a.jpg.meta.json").contains("error"));  // one computed, the rest only listed
  const auto listed = sidecar_names("a.jpg", available_analyzers());
  ASSERT_EQ(list().size(), listed.size() + 1);
  Watcher watcher(mnt(), temp_dir() + "/events");
  ASSERT_TRUE(poll_until([&] { return watcher.ready(); }, seconds(20)));

  ASSERT_TRUE(succeeded(run("mv " + qm("a.jpg") + " " + qm("b.jpg"))));
  EXPECT_TRUE(saw_all(watcher, "DELETE", listed)) << watcher.events();
  EXPECT_EQ(list().size(), listed.size() + 1);  // b.jpg and its sidecars

  ASSERT_TRUE(succeeded(run("rm " + qm("b.jpg"))));
  EXPECT_TRUE(saw_all(watcher, "DELETE", sidecar_names("b.jpg", available_analyzers()))) << watcher.events();
  EXPECT_TRUE(list().empty());
  // Nothing was removed that should stay: a new image of the old name keeps
  // its sidecars, and the watcher heard no DELETE for them.
  put("messi5.jpg", "a.jpg");
  EXPECT_EQ(list().size(), listed.size() + 1);
}

}  // namespace
}  // namespace visionfs::itest
