// `tar` of a whole mount, as the README advises for keeping results: exit 0
// (no "file changed as we read it" from .visionfs), and with
// -o precompute=all every archived sidecar, NAME.json and NAME.xmp among
// them, holds what reading it gives, never the 0 bytes of one not computed.

#include <chrono>
#include <thread>

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

class TarRootTest : public SidecarFixture {
 protected:
  std::vector<std::string> extra_options() const override { return {"precompute=all"}; }
};

TEST_F(TarRootTest, TheWholeMountArchivesWithExitZeroAndNoEmptySidecars) {
  put("messi5.jpg", "a.jpg");
  // Precomputing takes a while; wait (bounded) until NAME.xmp, composed
  // last, has a size.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (run("test -s " + qm("a.jpg.xmp")).status != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(run("test -s " + qm("a.jpg.json")).status, 0) << "precompute=all left NAME.json unsized";
  auto tar = run("tar -C " + qm("") + " -cf " + qs("all.tar") + " .", 120);
  ASSERT_EQ(tar.status, 0) << tar.describe();
  ASSERT_TRUE(succeeded(run("mkdir " + qs("x") + " && tar -C " + qs("x") + " -xf " + qs("all.tar"))));
  auto names = list();
  for (const auto& name : names) {
    if (name == "a.jpg" || name.find("a.jpg.") != 0) continue;
    SCOPED_TRACE(name);
    EXPECT_TRUE(same_bytes(s("x/" + name), m(name)));
    EXPECT_EQ(run("test -s " + qs("x/" + name)).status, 0) << "archived empty";
  }
  // And a second time, now that reading them changed stats.json.
  tar = run("tar -C " + qm("") + " -cf " + qs("again.tar") + " .", 120);
  EXPECT_EQ(tar.status, 0) << tar.describe();
}

}  // namespace
}  // namespace visionfs::itest
