// Listing a directory computes nothing (fuse-lessons.md section 1: readdir
// and readdirplus must not trigger analysis), and reading one sidecar runs
// exactly that one analyzer once.

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

constexpr int kImages = 200;

class SidecarListingTest : public SidecarFixture {};

TEST_F(SidecarListingTest, ListingComputesNothingAndOneReadRunsOneAnalyzer) {
  // 200 images under distinct names, copies of four small real photos.
  const char* const sources[] = {"HappyFish.jpg", "LinuxLogo.jpg", "templ.png", "mask.png"};
  std::string script = "set -e\nmkdir " + qs("imgs") + "\ncd " + qs("imgs") + "\n";
  for (int i = 0; i < kImages; ++i) {
    const std::string src = sources[i % 4];
    const std::string ext = src.substr(src.rfind('.'));
    script += "cp " + shell_quote(sample_image(src)) + " img" + std::to_string(i) + ext + "\n";
  }
  ASSERT_TRUE(succeeded(run(script)));
  ASSERT_TRUE(succeeded(run("cp -r " + qs("imgs") + " " + qm("imgs"), 120)));
  const auto analyzers = available_analyzers();
  ASSERT_FALSE(analyzers.empty());

  auto ls = run("ls " + qm("imgs") + " | wc -l");
  ASSERT_TRUE(succeeded(ls));
  EXPECT_EQ(std::stoi(ls.out), kImages * (3 + static_cast<int>(analyzers.size())));  // image, .json, .xmp
  auto ls_a = run("ls -a " + qm("") + " " + qm("imgs") + " > /dev/null");
  ASSERT_TRUE(succeeded(ls_a));
  // find needs no stat for -name (it uses d_type); the control directory is
  // pruned, its files are not sidecars.
  auto find = run("find " + shell_quote(mnt()) + " -path " + shell_quote(m(".visionfs")) +
                  " -prune -o -name '*.json' -print | wc -l");
  ASSERT_TRUE(succeeded(find));
  EXPECT_EQ(std::stoi(find.out), kImages * (1 + static_cast<int>(analyzers.size())));

  auto before = stats();
  for (const auto& a : analyzers) {
    EXPECT_EQ(stat_of(before, a), 0u) << "listing ran " << a << ": " << before["analyses"][a].dump();
    EXPECT_EQ(stat_of(before, a, "computed"), 0u) << a;
  }
  EXPECT_EQ(before["decodes"]["count"].get<int>(), 0) << before.dump(2);
  EXPECT_EQ(before["images"].get<int>(), kImages);

  // One sidecar read: one analyzer, one run, one decode.
  auto colors = read_json("imgs/img0.jpg.colors.json");
  EXPECT_EQ(colors.value("analyzer", ""), "colors") << colors.dump();
  auto after = stats();
  for (const auto& a : analyzers) {
    EXPECT_EQ(stat_of(after, a), a == "colors" ? 1u : 0u) << a << ": " << after["analyses"][a].dump();
  }
  EXPECT_EQ(stat_of(after, "colors", "computed"), 1u);
  EXPECT_EQ(after["decodes"]["count"].get<int>(), 1) << after.dump(2);

  // Listing again after a read still computes nothing more.
  ASSERT_TRUE(succeeded(run("ls -a " + qm("imgs") + " > /dev/null && find " + qm("imgs") + " -name '*.json' > /dev/null")));
  auto again = stats();
  for (const auto& a : analyzers) EXPECT_EQ(stat_of(again, a), stat_of(after, a)) << a;
}

}  // namespace
}  // namespace visionfs::itest
