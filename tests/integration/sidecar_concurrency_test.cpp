// Many readers at once: one analysis per sidecar (single-flight), the same
// bytes for everyone, one decode shared by an image's analyzers.

#include "integration/sidecar_support.h"

#include <algorithm>

namespace visionfs::itest {
namespace {

// `wait PID` for each reader started, so one failed reader fails the script.
// The PIDs are collected with $!: `$(jobs -p)` runs in a subshell, which in
// dash (/bin/sh) has no jobs, so it waited for nothing and the test read the
// outputs while the readers were still waiting for their analysis (seen
// under ThreadSanitizer as empty outputs).
constexpr const char* kWaitForEach = "for p in $pids; do wait $p; done\n";

constexpr int kReaders = 16;

class SidecarConcurrencyTest : public SidecarFixture {
 protected:
  // 16 background cats of `rel` started together, outputs in scratch/out.N.
  void read_concurrently(const std::string& rel, const std::string& tag) {
    std::string script = "set -e\n";
    for (int i = 0; i < kReaders; ++i)
      script += "cat " + qm(rel) + " > " + qs(tag + "." + std::to_string(i)) + " & pids=\"$pids $!\"\n";
    script += kWaitForEach;
    ASSERT_TRUE(succeeded(run(script, 180)));
    const std::string first = read_local_file(s(tag + ".0"));
    EXPECT_FALSE(first.empty());
    parse_or_fail(first, rel);
    for (int i = 1; i < kReaders; ++i)
      EXPECT_TRUE(same_bytes(s(tag + ".0"), s(tag + "." + std::to_string(i)))) << "reader " << i;
    auto size = run("stat -c %s " + qm(rel));
    EXPECT_EQ(size.out, std::to_string(first.size()) + "\n");
  }
};

TEST_F(SidecarConcurrencyTest, SixteenReadersOfOneColdSidecarShareOneRun) {
  put("messi5.jpg", "a.jpg");
  // text is the slowest analyzer: all 16 opens arrive while it runs.
  read_concurrently("a.jpg.text.json", "text");
  auto st = stats();
  EXPECT_EQ(stat_of(st, "text"), 1u) << st["analyses"]["text"].dump();
  EXPECT_EQ(stat_of(st, "text", "computed"), 1u) << st["analyses"]["text"].dump();
  for (const auto& a : available_analyzers()) {
    if (a != "text") {
      EXPECT_EQ(stat_of(st, a), 0u) << a;
    }
  }
}

TEST_F(SidecarConcurrencyTest, SixteenReadersOfOneColdCombinedSidecarRunEachOfItsAnalyzersOnce) {
  put("squirrel_cls.jpg", "b.jpg");
  read_concurrently("b.jpg.json", "combined");
  auto st = stats();
  const auto parts = name_json_analyzers(available_analyzers());
  ASSERT_FALSE(parts.empty());
  for (const auto& a : available_analyzers()) {
    const bool part = std::find(parts.begin(), parts.end(), a) != parts.end();
    EXPECT_EQ(stat_of(st, a), part ? 1u : 0u) << a << ": " << st["analyses"][a].dump();
  }
  EXPECT_EQ(st["decodes"]["count"].get<int>(), 1) << st.dump(2);
}

TEST_F(SidecarConcurrencyTest, EverySidecarOfOneImageAtOnceDecodesItOnce) {
  put("messi5.jpg", "c.jpg");
  const auto analyzers = available_analyzers();
  std::string script = "set -e\n";
  for (const auto& n : sidecar_names("c.jpg", analyzers)) {
    for (int copy = 0; copy < 2; ++copy)
      script += "cat " + qm(n) + " > " + qs(n + "." + std::to_string(copy)) + " & pids=\"$pids $!\"\n";
  }
  script += kWaitForEach;
  ASSERT_TRUE(succeeded(run(script, 180)));
  for (const auto& n : sidecar_names("c.jpg", analyzers)) {
    EXPECT_TRUE(same_bytes(s(n + ".0"), s(n + ".1"))) << n;
    if (n.ends_with(".json")) parse_or_fail(read_local_file(s(n + ".0")), n);
  }
  auto st = stats();
  for (const auto& a : analyzers) EXPECT_EQ(stat_of(st, a), 1u) << a;
  EXPECT_EQ(st["decodes"]["count"].get<int>(), 1) << st.dump(2);
  // NAME.json is made of the per-analyzer results.
  auto combined = read_json("c.jpg.json");
  auto faces = parse_or_fail(read_local_file(s("c.jpg.faces.json.0")), "faces");
  EXPECT_EQ(combined["faceAnnotations"].size(), faces["faces"].size()) << combined.dump(2);
  auto colors = parse_or_fail(read_local_file(s("c.jpg.colors.json.0")), "colors");
  EXPECT_EQ(combined["imagePropertiesAnnotation"]["dominantColors"]["colors"][0]["color"],
            colors["dominantColors"]["colors"][0]["color"]);
}

}  // namespace
}  // namespace visionfs::itest
