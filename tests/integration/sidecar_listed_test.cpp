// -o listed= (issue 8): a listing shows exactly the sidecar kinds chosen,
// a glob sees only those, and every sidecar still opens by its name.

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

class ListedTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }

  // Two photos; returns the names `ls -a` shows in the directory, and checks
  // that every sidecar of every kind opens.
  std::vector<std::string> listing_and_every_sidecar_opens() {
    EXPECT_TRUE(succeeded(run("mkdir " + qm("photos"))));
    put("messi5.jpg", "photos/a.jpg");
    put("HappyFish.jpg", "photos/b.jpg");
    for (const std::string image : {"a.jpg", "b.jpg"}) {
      EXPECT_FALSE(read_json("photos/" + image + ".json").contains("error")) << image;
      EXPECT_NE(cat("photos/" + image + ".xmp").find("<x:xmpmeta"), std::string::npos) << image;
      for (const auto& analyzer : available_analyzers()) {
        const std::string rel = "photos/" + image + "." + analyzer + ".json";
        EXPECT_EQ(read_json(rel).value("analyzer", ""), analyzer) << rel;
      }
    }
    return list("photos");
  }
  int glob_count(const std::string& pattern) {
    auto r = run("cd " + qm("photos") + " && ls -d " + pattern + " 2>/dev/null | wc -l");
    return std::stoi(r.out);
  }
};

class ListedNoneTest : public ListedTest {
  std::vector<std::string> extra_options() const override { return {"listed=none"}; }
};

TEST_F(ListedNoneTest, OnlyTheImagesAreListedAndEverySidecarOpens) {
  EXPECT_EQ(listing_and_every_sidecar_opens(), (std::vector<std::string>{"a.jpg", "b.jpg"}));
  EXPECT_EQ(glob_count("*.json"), 0);
  EXPECT_EQ(config()["listed"], nlohmann::json::array());
}

class ListedJsonTest : public ListedTest {
  std::vector<std::string> extra_options() const override { return {"listed=json:colors"}; }
};

TEST_F(ListedJsonTest, TheChosenKindsAreListed) {
  EXPECT_EQ(listing_and_every_sidecar_opens(),
            (std::vector<std::string>{"a.jpg", "a.jpg.colors.json", "a.jpg.json", "b.jpg",
                                      "b.jpg.colors.json", "b.jpg.json"}));
  EXPECT_EQ(glob_count("*.json"), 4);
  EXPECT_EQ(glob_count("*.meta.json"), 0);  // not listed, so no glob finds it
  EXPECT_EQ(config()["listed"], (nlohmann::json{"json", "colors"}));
}

class ListedAllTest : public ListedTest {};

TEST_F(ListedAllTest, EveryKindIsListedByDefault) {
  const auto names = listing_and_every_sidecar_opens();
  EXPECT_EQ(names.size(), 2 * (3 + available_analyzers().size()));
  EXPECT_EQ(config()["listed"].size(), 2 + available_analyzers().size());
}

}  // namespace
}  // namespace visionfs::itest
