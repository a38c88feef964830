// The race matrix of issue 11: readers of a per-analyzer sidecar and of
// NAME.json, by stat and by cat, started while the image is being analysed
// (or parked behind a writer), against each way the image can change or go:
// rm, mv over it, cp over it, truncate, append, a writer that holds it open
// then closes, TTL expiry, and unmount, in both size modes. Every reader must be answered (the
// hang watchdog aborts the connection and fails the test otherwise), and
// whatever cat returns must be whole JSON. Repeated VISIONFS_RACE_REPS times
// (default 10).

#include "integration/sidecar_support.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace visionfs::itest {
namespace {

int repetitions() {
  const char* env = std::getenv("VISIONFS_RACE_REPS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 10;
}

// The readers: stat and cat of each sidecar in the background. Each prints
// one line when it is answered: "stat NAME STATUS" or "cat NAME ok|BADJSON|
// err MESSAGE". Each first closes descriptor 3, the test's writer: a reader
// that inherited it would itself keep the image open for writing.
std::string readers(const std::string& mnt, const std::string& out_dir) {
  std::ostringstream sh;
  for (const char* name : {"r.jpg.json", "r.jpg.colors.json"}) {
    std::string f = shell_quote(mnt + "/" + name), o = shell_quote(out_dir + "/" + name);
    sh << "(exec 3>&-; stat -c %s " << f << " >/dev/null 2>&1; echo \"stat " << name << " $?\") > " << o << ".stat & ";
    sh << "(exec 3>&-; if cat " << f << " > " << o << ".out 2> " << o << ".err; then "
       << "if jq -e . " << o << ".out >/dev/null 2>&1; then echo 'cat " << name << " ok'; "
       << "else echo 'cat " << name << " BADJSON'; fi; "
       << "else echo \"cat " << name << " err $(cat " << o << ".err)\"; fi) > " << o << ".cat & ";
  }
  return sh.str();
}

struct Outcomes {
  int answered = 0;
  int cat_ok = 0;
  std::vector<std::string> bad;
};

Outcomes collect(const std::string& out_dir) {
  auto listing = run("cat " + shell_quote(out_dir) + "/*.stat " + shell_quote(out_dir) + "/*.cat");
  Outcomes o;
  std::istringstream in(listing.out);
  std::string line;
  while (std::getline(in, line)) {
    o.answered++;
    if (line.find("BADJSON") != std::string::npos) o.bad.push_back(line);
    if (line.ends_with(" ok")) o.cat_ok++;
  }
  return o;
}

class RaceMatrix : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }

  // One round: image in place, readers started, `action` while they wait,
  // every reader answered, whole JSON only.
  void round(const std::string& action, bool hold_writer, int rep, bool all_ok) {
    std::string out = temp_dir() + "/race-" + std::to_string(rep);
    ASSERT_TRUE(succeeded(run("rm -rf " + shell_quote(out) + " && mkdir -p " + shell_quote(out))));
    std::string img = shell_quote(m("r.jpg"));
    std::ostringstream sh;
    sh << "cp " << shell_quote(sample_image("messi5.jpg")) << " " << img << " && ";
    if (hold_writer) sh << "exec 3>>" << img << "; ";
    sh << readers(mnt(), out) << "sleep 0.2; " << action << "; ";
    if (hold_writer) sh << "sleep 0.3; exec 3>&-; ";
    sh << "wait";
    auto r = run(sh.str(), 120);
    EXPECT_EQ(r.status, 0) << r.describe();
    auto o = collect(out);
    EXPECT_EQ(o.answered, 4) << "every reader answered (" << action << ")";
    EXPECT_TRUE(o.bad.empty()) << "cat returned broken JSON: " << o.bad.front();
    if (all_ok) {
      EXPECT_EQ(o.cat_ok, 2) << "both sidecars read (" << action << ")";
    }
    run("rm -f " + shell_quote(m("r.jpg")) + " " + shell_quote(m("tmp.jpg")));
  }

  void all_rounds(const std::string& action, bool hold_writer = false, bool all_ok = false) {
    for (int rep = 0; rep < repetitions() && !HasFailure(); ++rep) round(action, hold_writer, rep, all_ok);
    EXPECT_EQ(stat_of(stats(), "all", "waiting"), 0u);
  }
  std::string other_photo() const { return shell_quote(sample_image("HappyFish.jpg")); }
};

TEST_F(RaceMatrix, Rm) { all_rounds("rm " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrix, MvOver) {
  all_rounds("cp " + other_photo() + " " + shell_quote(m("tmp.jpg")) + " && mv " + shell_quote(m("tmp.jpg")) + " " +
             shell_quote(m("r.jpg")));
}
TEST_F(RaceMatrix, CpOver) { all_rounds("cp " + other_photo() + " " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrix, Truncate) { all_rounds("truncate -s 0 " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrix, Append) { all_rounds("printf x >> " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrix, WriterHoldsTheImageOpenThenCloses) { all_rounds("true", /*hold_writer=*/true, /*all_ok=*/true); }
TEST_F(RaceMatrix, RmWhileAWriterHoldsIt) { all_rounds("rm " + shell_quote(m("r.jpg")), /*hold_writer=*/true); }

// With sizes=exact a stat parks too (GETATTR waits for the analysis), so the
// same races run against parked GETATTRs as well as OPENs.
class RaceMatrixExact : public RaceMatrix {
 protected:
  std::vector<std::string> extra_options() const override { return {"sizes=exact"}; }
};

TEST_F(RaceMatrixExact, Rm) { all_rounds("rm " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrixExact, CpOver) { all_rounds("cp " + other_photo() + " " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrixExact, Truncate) { all_rounds("truncate -s 0 " + shell_quote(m("r.jpg"))); }
TEST_F(RaceMatrixExact, WriterHoldsTheImageOpenThenCloses) {
  all_rounds("true", /*hold_writer=*/true, /*all_ok=*/true);
}
TEST_F(RaceMatrixExact, RmWhileAWriterHoldsIt) { all_rounds("rm " + shell_quote(m("r.jpg")), /*hold_writer=*/true); }

class RaceMatrixTtl : public RaceMatrix {
 protected:
  std::vector<std::string> extra_options() const override { return {"ttl=1s"}; }
};

// The image expires (TTL 1 s) while its sidecars are being computed.
TEST_F(RaceMatrixTtl, Expiry) { all_rounds("sleep 1.2"); }

// Stopping the daemon while requests wait (parked behind a writer): each is
// answered, and the daemon still exits 0.
TEST(RaceMatrixUnmount, ParkedReadersAreAnsweredWhenTheDaemonStops) {
  for (int rep = 0; rep < std::min(repetitions(), 3); ++rep) {
    StandaloneDaemon daemon("ttl=1h");
    ASSERT_TRUE(daemon.mounted());
    char out_template[] = "/tmp/visionfs-stop-out-XXXXXX";
    ASSERT_NE(mkdtemp(out_template), nullptr);
    const std::string out = out_template;
    std::string img = shell_quote(daemon.m("r.jpg"));
    auto r = run("cp " + shell_quote(sample_image("messi5.jpg")) + " " + img + " && exec 3>>" + img + "; " +
                     readers(daemon.mnt(), out) + "sleep 0.5; kill -TERM " + std::to_string(daemon.pid()) + "; wait",
                 60);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(collect(out).answered, 4);
    int status = daemon.wait_exit(std::chrono::seconds(20));
    EXPECT_TRUE(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    run("rm -rf " + shell_quote(out));
  }
}

}  // namespace
}  // namespace visionfs::itest
