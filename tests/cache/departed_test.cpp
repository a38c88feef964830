// Departed sidecar names (cache/tree.h): queued when the user renames or
// removes an image, found and unlinked only through the departed calls,
// and never for a name that leads somewhere again.

#include "tree_fixture.h"

namespace visionfs::cache {
namespace {

std::vector<std::string> names_of(const std::vector<DepartedName>& departed) {
  std::vector<std::string> out;
  for (const auto& d : departed) out.push_back(d.name);
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::string> kOfA = {"a.jpg.faces.json", "a.jpg.json", "a.jpg.meta.json", "a.jpg.xmp"};

TEST_F(TreeTest, RemovingAnImageDepartsItsListedSidecarNames) {
  create(kRootIno, "a.jpg", "IMG-bytes");
  create(kRootIno, "notes.txt", "text");
  ASSERT_EQ(tree_.unlink(kRootIno, "notes.txt"), 0);
  EXPECT_TRUE(tree_.departed().empty()) << "not an image: no sidecar names";
  ASSERT_EQ(tree_.unlink(kRootIno, "a.jpg"), 0);
  const auto departed = tree_.departed();
  EXPECT_EQ(names_of(departed), kOfA);
  EXPECT_TRUE(departed.front().dir_path.empty());  // the root

  Entry e;
  EXPECT_EQ(tree_.lookup(kRootIno, "a.jpg.json", &e), ENOENT) << "only the departed calls find it";
  ASSERT_EQ(tree_.lookup_departed(kRootIno, "a.jpg.json", &e), 0);
  EXPECT_EQ(e.attr.st_size, 0);
  EXPECT_EQ(tree_.unlink_departed(kRootIno, "a.jpg.json"), 0);
  EXPECT_EQ(tree_.unlink_departed(kRootIno, "a.jpg.json"), ENOENT) << "once";
  EXPECT_EQ(tree_.lookup_departed(kRootIno, "a.jpg.json", &e), ENOENT);
  tree_.forget_departed(tree_.departed());
  EXPECT_TRUE(tree_.departed().empty());
}

TEST_F(TreeTest, RenamingAnImageDepartsTheOldNamesOnly) {
  create(kRootIno, "a.jpg", "IMG-bytes");
  ASSERT_EQ(tree_.rename(kRootIno, "a.jpg", kRootIno, "b.jpg", 0), 0);
  EXPECT_EQ(names_of(tree_.departed()), kOfA);
  // A new a.jpg makes the old names lead somewhere again: not unlinked.
  create(kRootIno, "a.jpg", "IMG-other");
  EXPECT_EQ(tree_.unlink_departed(kRootIno, "a.jpg.json"), ESTALE);
}

TEST_F(TreeTest, ANewImageAndARenamedOneAnnounceTheirSidecarNamesOnce) {
  create(kRootIno, "a.jpg", "IMG-bytes");  // closed by the fixture
  EXPECT_EQ(names_of(tree_.arrived()), kOfA);
  tree_.forget_arrived(tree_.arrived());
  ASSERT_EQ(tree_.rename(kRootIno, "a.jpg", kRootIno, "b.jpg", 0), 0);
  const std::vector<std::string> of_b = {"b.jpg.faces.json", "b.jpg.json", "b.jpg.meta.json", "b.jpg.xmp"};
  EXPECT_EQ(names_of(tree_.arrived()), of_b);
  EXPECT_TRUE(tree_.is_arrived(kRootIno, "b.jpg.json"));
  Entry e;
  ASSERT_EQ(tree_.mknod_arrived(kRootIno, "b.jpg.json", &e), 0);
  EXPECT_EQ(e.node->analyzer, kCombinedSidecar) << "answered with the real sidecar";
  EXPECT_EQ(tree_.mknod_arrived(kRootIno, "b.jpg.json", &e), EEXIST) << "once";
  EXPECT_FALSE(tree_.is_arrived(kRootIno, "b.jpg.json"));
  ASSERT_EQ(tree_.unlink(kRootIno, "b.jpg"), 0);
  EXPECT_EQ(tree_.mknod_arrived(kRootIno, "b.jpg.meta.json", &e), ENOENT) << "gone again: nothing to announce";
}

TEST_F(TreeTest, AnExpiringImageNamesEveryListedSidecar) {
  create(kRootIno, "a.jpg", "IMG-bytes");
  names(kRootIno);  // a listing: the kernel may show every sidecar name
  clock_.advance(std::chrono::hours(2));
  const auto due = tree_.expired(clock_.now());
  ASSERT_EQ(due.size(), 1u);
  auto sidecars = due[0].sidecar_names;
  std::sort(sidecars.begin(), sidecars.end());
  EXPECT_EQ(sidecars, kOfA);
}

}  // namespace
}  // namespace visionfs::cache
