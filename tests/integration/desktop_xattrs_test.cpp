// user.xdg.tags and user.xdg.comment on images (issue 8): listed without
// computing anything, computed when read, a value the user sets wins and is
// kept, and -o tags=off turns them off. getfattr is what KDE's own tools
// amount to here (KFileMetaData reads these very names).

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

class DesktopXattrsTest : public SidecarFixture {
 protected:
  std::string get(const std::string& rel, const std::string& name) {
    return run("getfattr --only-values -n " + name + " " + qm(rel)).out;
  }
  std::uint64_t analyses() {
    const auto s = stats();
    std::uint64_t total = 0;
    for (const auto& a : available_analyzers()) total += stat_of(s, a);
    return total;
  }
};

TEST_F(DesktopXattrsTest, ListedWithoutComputingThenComputedWhenRead) {
  put("squirrel_cls.jpg", "squirrel.jpg");
  put("messi5.jpg", "messi.jpg");
  // getfattr without -d lists the names only (listxattr).
  const auto names = run("getfattr --absolute-names -m - " + qm("squirrel.jpg"));
  EXPECT_NE(names.out.find("user.xdg.tags"), std::string::npos) << names.out;
  EXPECT_NE(names.out.find("user.xdg.comment"), std::string::npos) << names.out;
  EXPECT_EQ(analyses(), 0u) << "listing the attribute names ran an analysis";

  const std::string comment = get("messi.jpg", "user.xdg.comment");
  EXPECT_NE(comment.find("face"), std::string::npos) << comment;
  EXPECT_GT(analyses(), 0u);
  if (models_dir().empty()) {
    std::cout << "[ NOTE     ] no models: labels and objects (the tags) are not checked\n";
    return;
  }
  EXPECT_NE(comment.find("objects: person"), std::string::npos) << comment;
  const std::string tags = get("messi.jpg", "user.xdg.tags");
  EXPECT_NE(tags.find("person"), std::string::npos) << tags;
  EXPECT_NE(tags.find("sports ball"), std::string::npos) << tags;
  EXPECT_NE(get("squirrel.jpg", "user.xdg.tags").find("squirrel"), std::string::npos);
}

TEST_F(DesktopXattrsTest, AValueTheUserSetsWinsAndIsKept) {
  put("messi5.jpg", "m.jpg");
  ASSERT_TRUE(succeeded(run("setfattr -n user.xdg.tags -v 'holiday,football' " + qm("m.jpg"))));
  EXPECT_EQ(get("m.jpg", "user.xdg.tags"), "holiday,football");
  const auto names = run("getfattr --absolute-names -m - " + qm("m.jpg"));
  EXPECT_EQ(names.out.find("user.xdg.tags"), names.out.rfind("user.xdg.tags")) << "listed twice: " << names.out;
  EXPECT_EQ(analyses(), 0u) << "a user-set value needs no analysis";
  // Removing the user's value brings back the computed one.
  ASSERT_TRUE(succeeded(run("setfattr -x user.xdg.tags " + qm("m.jpg"))));
  const auto computed = run("getfattr --only-values -n user.xdg.comment " + qm("m.jpg"));
  EXPECT_TRUE(succeeded(computed));
  EXPECT_NE(computed.out.find("face"), std::string::npos) << computed.out;
}

// Errors stay in NAME.json: a photo manager would import NAME.xmp's
// dc:description (and Dolphin shows user.xdg.comment) as the caption.
TEST_F(DesktopXattrsTest, AnUnreadableImageGetsNoCaptionTagsOrComment) {
  const std::string broken = s("broken.jpg");
  ASSERT_TRUE(succeeded(run("head -c 3000 " + shell_quote(sample_image("messi5.jpg")) + " > " + shell_quote(broken))));
  put(broken, "broken.jpg");
  EXPECT_TRUE(read_json("broken.jpg.json").contains("error")) << "the error is in NAME.json";
  const std::string xmp = cat("broken.jpg.xmp");
  EXPECT_NE(xmp.find("<x:xmpmeta"), std::string::npos) << xmp;
  EXPECT_EQ(xmp.find("dc:description"), std::string::npos) << xmp;
  EXPECT_EQ(xmp.find("visionfs could not"), std::string::npos) << xmp;
  EXPECT_EQ(get("broken.jpg", "user.xdg.comment"), "");
  EXPECT_EQ(get("broken.jpg", "user.xdg.tags"), "");
}

// README's advice for "no sidecars for a file?": a non-image named .jpg
// gets none, and getfattr shows it is not taken for an image.
TEST_F(DesktopXattrsTest, ANonImageNamedJpgSaysSoThroughItsAttributes) {
  ASSERT_TRUE(succeeded(run("echo 'not a photo' > " + qm("fake.jpg"))));
  EXPECT_EQ(errno_of("os.stat(p)", "fake.jpg.json"), "ENOENT");
  const auto names = run("getfattr --absolute-names -m - " + qm("fake.jpg"));
  EXPECT_EQ(names.out.find("user.xdg.tags"), std::string::npos) << names.out;
}

// Without models there are no labels, so no tags: the listed attribute
// reads as empty, and `getfattr -d` reports no error for it.
class DesktopXattrsNoLabelsTest : public DesktopXattrsTest {
  bool with_models() const override { return false; }
};

TEST_F(DesktopXattrsNoLabelsTest, NoTagsIsAnEmptyValueNotAMissingAttribute) {
  put("squirrel_cls.jpg", "s.jpg");
  const auto all = run("getfattr -d " + qm("s.jpg"));
  EXPECT_TRUE(succeeded(all)) << all.describe();
  EXPECT_EQ(all.err.find("No such attribute"), std::string::npos) << all.err;
  EXPECT_NE(all.out.find("user.xdg.comment="), std::string::npos) << all.out;
  const auto tags = run("getfattr --only-values -n user.xdg.tags " + qm("s.jpg"));
  EXPECT_TRUE(succeeded(tags)) << tags.describe();
  EXPECT_EQ(tags.out, "");
}

class DesktopXattrsOffTest : public DesktopXattrsTest {
  std::vector<std::string> extra_options() const override { return {"tags=off"}; }
};

TEST_F(DesktopXattrsOffTest, NeitherListedNorComputed) {
  put("messi5.jpg", "m.jpg");
  const auto names = run("getfattr --absolute-names -m - " + qm("m.jpg"));
  EXPECT_EQ(names.out.find("user.xdg"), std::string::npos) << names.out;
  const auto r = run("getfattr -n user.xdg.tags " + qm("m.jpg") + " 2>&1");
  EXPECT_NE(r.out.find("No such attribute"), std::string::npos) << r.out;
  EXPECT_EQ(analyses(), 0u);
  EXPECT_EQ(config().value("tags", ""), "off");
}

}  // namespace
}  // namespace visionfs::itest
