// Extended attributes through setfattr/getfattr: user.* works like on a
// disk filesystem; other namespaces are refused with ENOTSUP.

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

class XattrTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"max_memory=64M", "ttl=1h"}, {}, {}}; }
  void SetUp() override {
    MountFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(succeeded(run("echo content > " + qm("f") + " && mkdir " + qm("d"))));
  }
};

TEST_F(XattrTest, SetGetListRemove) {
  ASSERT_TRUE(succeeded(run("setfattr -n user.xdg.tags -v 'cat,holiday' " + qm("f"))));
  ASSERT_TRUE(succeeded(run("setfattr -n user.baloo.rating -v 8 " + qm("f"))));
  ASSERT_TRUE(succeeded(run("setfattr -n user.bin -v 0x00ff10 " + qm("f"))));

  auto r = run("getfattr --only-values -n user.xdg.tags " + qm("f"));
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "cat,holiday");
  r = run("getfattr -e hex -n user.bin " + qm("f"));
  EXPECT_NE(r.out.find("user.bin=0x00ff10"), std::string::npos) << r.describe();

  // -d dumps every user.* attribute; -m - lists all namespaces the
  // filesystem reports: only the three set above, no daemon-internal names.
  r = run("cd " + shell_quote(mnt()) + " && getfattr -d -m - f");
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out,
            "# file: f\n"
            "user.baloo.rating=\"8\"\n"
            "user.bin=0sAP8Q\n"
            "user.xdg.tags=\"cat,holiday\"\n\n");

  ASSERT_TRUE(succeeded(run("setfattr -n user.xdg.tags -v replaced " + qm("f"))));
  EXPECT_EQ(run("getfattr --only-values -n user.xdg.tags " + qm("f")).out, "replaced");

  ASSERT_TRUE(succeeded(run("setfattr -x user.bin " + qm("f"))));
  r = run("cd " + shell_quote(mnt()) + " && getfattr -d f");
  EXPECT_EQ(r.out, "# file: f\nuser.baloo.rating=\"8\"\nuser.xdg.tags=\"replaced\"\n\n");

  // The file's contents are untouched by all of this.
  EXPECT_EQ(run("cat " + qm("f")).out, "content\n");
}

TEST_F(XattrTest, MissingNameIsNoSuchAttribute) {
  auto r = run("getfattr -n user.test " + qm("f"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No such attribute"), std::string::npos) << r.describe();

  r = run("setfattr -x user.test " + qm("f"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No such attribute"), std::string::npos) << r.describe();

  // A file without attributes lists none.
  r = run("getfattr -d -m - " + qm("f"));
  EXPECT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "");
}

TEST_F(XattrTest, OtherNamespacesAreNotSupported) {
  for (const char* name : {"trusted.visionfs", "security.visionfs"}) {
    auto r = run(std::string("setfattr -n ") + name + " -v x " + qm("f"));
    EXPECT_NE(r.status, 0) << name;
    EXPECT_NE(r.err.find("Operation not supported"), std::string::npos) << r.describe();
    r = run(std::string("getfattr -n ") + name + " " + qm("f"));
    EXPECT_NE(r.status, 0) << name;
    EXPECT_NE(r.err.find("Operation not supported"), std::string::npos) << r.describe();
    r = run(std::string("setfattr -x ") + name + " " + qm("f"));
    EXPECT_NE(r.status, 0) << name;
    EXPECT_NE(r.err.find("Operation not supported"), std::string::npos) << r.describe();
  }
}

TEST_F(XattrTest, DirectoriesAndRenames) {
  ASSERT_TRUE(succeeded(run("setfattr -n user.comment -v 'on a dir' " + qm("d"))));
  EXPECT_EQ(run("getfattr --only-values -n user.comment " + qm("d")).out, "on a dir");

  ASSERT_TRUE(succeeded(run("setfattr -n user.keep -v yes " + qm("f"))));
  ASSERT_TRUE(succeeded(run("mv " + qm("f") + " " + qm("d/g"))));
  EXPECT_EQ(run("getfattr --only-values -n user.keep " + qm("d/g")).out, "yes");

  // A new file under a removed file's name starts without attributes.
  ASSERT_TRUE(succeeded(run("rm " + qm("d/g") + " && echo new > " + qm("d/g"))));
  auto r = run("getfattr -n user.keep " + qm("d/g"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No such attribute"), std::string::npos) << r.describe();
}

TEST_F(XattrTest, CopyPreservesAttributesWithCpA) {
  ASSERT_TRUE(succeeded(run("setfattr -n user.origin -v camera " + qm("f"))));
  ASSERT_TRUE(succeeded(run("cp -a " + qm("f") + " " + qm("f2"))));
  EXPECT_EQ(run("getfattr --only-values -n user.origin " + qm("f2")).out, "camera");
  ASSERT_TRUE(succeeded(run("cp -a " + qm("f") + " " + qs("f3"))));
  EXPECT_EQ(run("getfattr --only-values -n user.origin " + qs("f3")).out, "camera");
}

}  // namespace
}  // namespace visionfs::itest
