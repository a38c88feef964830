// -o precompute: the named analyses start when an image's last writer
// closes it, without any sidecar being read; with none, nothing runs until
// someone reads.

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

using std::chrono::seconds;

class SidecarPrecomputeTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
  std::vector<std::string> extra_options() const override { return {"precompute=colors:hash"}; }

  // Polls stats.json until the analysis queue is empty and `done` holds.
  nlohmann::json wait_for(const std::function<bool(const nlohmann::json&)>& done) {
    nlohmann::json last;
    bool ok = poll_until(
        [&] {
          last = stats();
          return last.is_object() && last["workers"].value("queued", 1) == 0 &&
                 last["workers"].value("running", 1) == 0 && done(last);
        },
        seconds(60));
    EXPECT_TRUE(ok) << "stats.json never got there:\n" << last.dump(2);
    return last;
  }
};

TEST_F(SidecarPrecomputeTest, NamedAnalysesRunAfterCloseWithoutAnyRead) {
  EXPECT_EQ(config()["precompute"].get<std::vector<std::string>>(), (std::vector<std::string>{"colors", "hash"}));
  put("messi5.jpg", "a.jpg");
  put("squirrel_cls.jpg", "b.jpg");
  auto st = wait_for([](const nlohmann::json& j) { return stat_of(j, "colors") == 2 && stat_of(j, "hash") == 2; });
  for (const auto& a : available_analyzers()) {
    if (a != "colors" && a != "hash") {
      EXPECT_EQ(stat_of(st, a), 0u) << a << " ran: " << st["analyses"][a].dump();
    }
  }
  // Reading them now is a cache hit, not a second run.
  auto colors = read_json("a.jpg.colors.json");
  EXPECT_FALSE(colors.contains("error")) << colors.dump();
  auto after = stats();
  EXPECT_EQ(stat_of(after, "colors"), 2u);
  EXPECT_GE(stat_of(after, "colors", "cacheHits"), 1u) << after["analyses"]["colors"].dump();
}

TEST_F(SidecarPrecomputeTest, NothingRunsWhileTheImageIsOpenForWriting) {
  const std::string script =
      "import os, sys, time\n"
      "src, dst, go = sys.argv[1:4]\n"
      "data = open(src, 'rb').read()\n"
      "with open(dst, 'wb') as f:\n"
      "    f.write(data); f.flush()\n"
      "    print('written', flush=True)\n"
      "    while not os.path.exists(go): time.sleep(0.05)\n"
      "print('closed', flush=True)\n";
  BackgroundProcess writer(python3() + " -c " + shell_quote(script) + " " +
                               shell_quote(sample_image("messi5.jpg")) + " " + qm("w.jpg") + " " + qs("go"),
                           s("writer.out"), s("writer.err"));
  ASSERT_TRUE(poll_until([&] { return writer.stdout_text() == "written\n"; }, seconds(20))) << writer.stderr_text();
  // Every byte is there but the writer still holds it open: a real wait,
  // since nothing observable marks "would have started by now".
  EXPECT_FALSE(poll_until([&] { return stat_of(stats(), "colors") > 0 || stat_of(stats(), "hash") > 0; }, seconds(2)))
      << stats().dump(2);
  ASSERT_TRUE(succeeded(run("touch " + qs("go"))));
  wait_for([](const nlohmann::json& j) { return stat_of(j, "colors") == 1 && stat_of(j, "hash") == 1; });
}

// With precompute=none and one worker, a read of one sidecar finds the queue
// otherwise empty: had the close queued analyses, the single worker would
// have run them before (or still hold them queued after) the read's own.
class SidecarNoPrecomputeTest : public SidecarPrecomputeTest {
 protected:
  std::vector<std::string> extra_options() const override { return {"precompute=none", "workers=1"}; }
};

TEST_F(SidecarNoPrecomputeTest, OnlyWhatIsReadRuns) {
  EXPECT_TRUE(config()["precompute"].empty()) << config().dump(2);
  put("messi5.jpg", "a.jpg");
  put("squirrel_cls.jpg", "b.jpg");
  auto meta = read_json("b.jpg.meta.json");
  EXPECT_EQ(meta.value("width", 0), 535);
  auto st = stats();
  EXPECT_EQ(st["workers"].value("queued", -1), 0) << st.dump(2);
  for (const auto& a : available_analyzers())
    EXPECT_EQ(stat_of(st, a), a == "meta" ? 1u : 0u) << a << ": " << st["analyses"][a].dump();
  EXPECT_EQ(st["decodes"].value("count", -1), 1) << st.dump(2);
}

class SidecarPrecomputeAllTest : public SidecarPrecomputeTest {
 protected:
  std::vector<std::string> extra_options() const override { return {"precompute=all"}; }
};

TEST_F(SidecarPrecomputeAllTest, EveryAvailableAnalysisRunsOnce) {
  put("messi5.jpg", "a.jpg");
  const auto analyzers = available_analyzers();
  EXPECT_EQ(config()["precompute"].get<std::vector<std::string>>(), analyzers);
  auto st = wait_for([&](const nlohmann::json& j) {
    for (const auto& a : analyzers)
      if (stat_of(j, a) == 0) return false;
    return true;
  });
  for (const auto& a : analyzers) EXPECT_EQ(stat_of(st, a), 1u) << a;
  EXPECT_EQ(st["decodes"].value("count", -1), 1) << st.dump(2);
  // Then the combined file composes without running anything again.
  auto combined = read_json("a.jpg.json");
  EXPECT_TRUE(combined.contains("imagePropertiesAnnotation") && !combined.contains("error")) << combined.dump(2);
  auto after = stats();
  for (const auto& a : analyzers) EXPECT_EQ(stat_of(after, a), 1u) << a;
}

}  // namespace
}  // namespace visionfs::itest
