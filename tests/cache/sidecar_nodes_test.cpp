// Sidecar nodes: named after their image, listed without computing,
// read-only, following and vanishing with the image.

#include "tree_fixture.h"

#include <linux/fs.h>

namespace visionfs::cache {
namespace {

TEST_F(TreeTest, ImagesGetSidecarNamesOthersDoNot) {
  create(kRootIno, "a.jpg", "IMG-bytes");
  create(kRootIno, "notes.jpg", "just text");
  EXPECT_EQ(names(kRootIno), (std::vector<std::string>{"a.jpg", "a.jpg.json", "a.jpg.xmp", "a.jpg.faces.json",
                                                       "a.jpg.meta.json", "notes.jpg"}));
}

TEST_F(TreeTest, ListingMarksOnlyComputedSidecarsAsHavingAttributes) {
  create(kRootIno, "a.jpg", "IMG-bytes");
  Entry meta;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &meta), 0);
  struct stat st {};
  tree_.complete_sidecar(meta.node, "{}", &st);
  std::vector<DirEntry> entries;
  Ino parent = 0;
  ASSERT_EQ(tree_.readdir(kRootIno, &entries, &parent), 0);
  ASSERT_EQ(entries.size(), 6u);  // with .hidden, whose attributes change with the images
  for (const auto& e : entries) {
    bool known = e.name == "a.jpg" || e.name == "a.jpg.meta.json";
    EXPECT_EQ(e.attr_known, known) << e.name;
  }
}

TEST_F(TreeTest, AVeryLongImageNameGetsOnlyTheSidecarNamesThatFitNameMax) {
  std::string name(250, 'x');
  name += ".jpg";  // 254 bytes: NAME.json would be 259
  create(kRootIno, name, "IMG");
  std::string shorter(245, 'y');
  shorter += ".jpg";  // 249: NAME.json (254) and NAME.xmp fit, NAME.meta.json (259) does not
  create(kRootIno, shorter, "IMG");
  auto listed = names(kRootIno);
  for (const auto& n : listed) EXPECT_LE(n.size(), 255u) << n;
  EXPECT_EQ(listed, (std::vector<std::string>{name, shorter, shorter + ".json", shorter + ".xmp"}));
  Entry e;
  EXPECT_EQ(tree_.lookup(kRootIno, shorter + ".json", &e), 0);
}

TEST_F(TreeTest, AnEarlierListingsEntryIsCurrentOnlyWhileItsNameLeadsToTheSameNode) {
  auto img = create(kRootIno, "a.jpg", "IMG-one");
  auto doc = create(kRootIno, "doc.txt", "text");
  Entry sidecar;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &sidecar), 0);
  Entry out;
  EXPECT_FALSE(tree_.current_entry(kRootIno, "a.jpg.meta.json", sidecar.node->ino, &out)) << "not computed yet";
  struct stat st {};
  tree_.complete_sidecar(sidecar.node, "{}", &st);
  EXPECT_TRUE(tree_.current_entry(kRootIno, "a.jpg.meta.json", sidecar.node->ino, &out));
  EXPECT_EQ(out.attr.st_size, 2);
  ASSERT_EQ(tree_.write(img, 0, bytes("IMG-two")), 0);  // rewritten: the old result is gone
  EXPECT_FALSE(tree_.current_entry(kRootIno, "a.jpg.meta.json", sidecar.node->ino, &out));
  EXPECT_TRUE(tree_.current_entry(kRootIno, "doc.txt", doc->ino, &out));
  ASSERT_EQ(tree_.unlink(kRootIno, "doc.txt"), 0);
  EXPECT_FALSE(tree_.current_entry(kRootIno, "doc.txt", doc->ino, &out));
  create(kRootIno, "doc.txt", "new");  // same name, another node
  EXPECT_FALSE(tree_.current_entry(kRootIno, "doc.txt", doc->ino, &out));
}

TEST_F(TreeTest, LookupResolvesSidecarsAndStableInodes) {
  create(kRootIno, "a.jpg", "IMG-bytes");
  Entry faces, again, all;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &faces), 0);
  EXPECT_EQ(faces.node->kind, NodeKind::kSidecar);
  EXPECT_EQ(faces.node->analyzer, "faces");
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &again), 0);
  EXPECT_EQ(faces.node->ino, again.node->ino);
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.json", &all), 0);
  EXPECT_EQ(all.node->analyzer, "");
  Entry none;
  EXPECT_EQ(tree_.lookup(kRootIno, "a.jpg.unknown.json", &none), ENOENT);
  EXPECT_EQ(tree_.lookup(kRootIno, "b.jpg.faces.json", &none), ENOENT);
}

TEST_F(TreeTest, CompletedSidecarHasExactSizeAndIsCharged) {
  create(kRootIno, "a.jpg", "IMG");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &e), 0);
  auto source = tree_.sidecar_source(e.node);
  EXPECT_TRUE(source.current);
  EXPECT_EQ(std::string(source.content->view()), "IMG");
  struct stat st {};
  tree_.complete_sidecar(e.node, "{\"ok\":1}\n", &st);
  EXPECT_EQ(st.st_size, 9);
  EXPECT_EQ(budget_.used(), 3u + 9u);
  EXPECT_EQ(read_all(e.node), "{\"ok\":1}\n");
}

TEST_F(TreeTest, ComputedSidecarsAreReadOnly) {
  create(kRootIno, "a.jpg", "IMG");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &e), 0);
  OpenResult o;
  EXPECT_EQ(tree_.open(e.node, O_WRONLY, &o), EACCES);
  EXPECT_EQ(tree_.open(e.node, O_RDONLY | O_TRUNC, &o), EACCES) << "fs/ turns a truncating open into a replacement";
  EXPECT_EQ(tree_.write(e.node, 0, bytes("x")), EACCES);
  EXPECT_EQ(tree_.rename(kRootIno, "a.jpg.faces.json", kRootIno, "x", 0), EPERM);
  struct stat st {};
  SetAttr truncate;
  truncate.size = 0;
  EXPECT_EQ(tree_.setattr(e.node->ino, truncate, {}, &st), EACCES);
  SetAttr touch;
  touch.mtime = timespec{0, UTIME_NOW};
  EXPECT_EQ(tree_.setattr(e.node->ino, touch, {}, &st), EPERM) << "touch must not make it look rewritten";
  SetAttr chmod;
  chmod.mode = 0600;
  EXPECT_EQ(tree_.setattr(e.node->ino, chmod, {}, &st), EPERM);
}

TEST_F(TreeTest, TheEvictorUnlinksSidecarNamesOfItsTargetWithoutDetachingThem) {
  auto img = create(kRootIno, "a.jpg", "IMG");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &e), 0);
  struct stat st {};
  tree_.complete_sidecar(e.node, "{}", &st);
  ExpiryTarget target{img->ino, img->changed};
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg.faces.json", &target), 0);
  // Still the image's sidecar: the image's removal detaches it, and only
  // then is the version reported as dropped (its decoded pixels forgotten).
  Entry again;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &again), 0);
  EXPECT_EQ(again.node, e.node);
  EXPECT_TRUE(tree_.take_dropped_versions().empty());
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg", &target), 0);
  EXPECT_EQ(tree_.take_dropped_versions().size(), 1u);
  EXPECT_EQ(budget_.used(), 3u) << "the result's charge is returned; the image's 3 bytes go with its last holder";
}

TEST_F(TreeTest, TheEvictorCannotRemoveAFileRenewedOrReplacedSinceItExpired) {
  auto img = create(kRootIno, "a.jpg", "IMG");
  ExpiryTarget target{img->ino, img->changed};
  clock_.advance(std::chrono::seconds(1));
  ASSERT_EQ(tree_.write(img, 3, bytes("-more")), 0);  // renewed: a new TTL
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg.faces.json", &target), ESTALE);
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg", &target), ESTALE);
  EXPECT_EQ(tree_.evict(target), ESTALE);
  ExpiryTarget renewed{img->ino, img->changed};
  auto other = create(kRootIno, "b.jpg", "IMG-b");
  ASSERT_EQ(tree_.rename(kRootIno, "b.jpg", kRootIno, "a.jpg", 0), 0);  // replaced by mv
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg", &renewed), ESTALE);
  EXPECT_EQ(names(kRootIno).front(), "a.jpg");
  ExpiryTarget replacement{other->ino, other->changed};
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg", &replacement), 0);
}

TEST_F(TreeTest, RewritingTheImageGivesNewSidecarsAndInvalidatesKnownNames) {
  auto img = create(kRootIno, "a.jpg", "IMG-one");
  Entry old_entry;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &old_entry), 0);
  tree_.ref(old_entry.node);  // the kernel knows this name
  struct stat st {};
  tree_.complete_sidecar(old_entry.node, "old", &st);
  tree_.take_notifications();

  ASSERT_EQ(tree_.write(img, 0, bytes("IMG-two")), 0);
  auto notes = tree_.take_notifications();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].type, Notification::Type::kInvalEntry);
  EXPECT_EQ(notes[0].name, "a.jpg.faces.json");
  EXPECT_FALSE(tree_.sidecar_source(old_entry.node).current);

  Entry fresh;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &fresh), 0);
  EXPECT_NE(fresh.node->ino, old_entry.node->ino);
  EXPECT_EQ(tree_.sidecar_result(fresh.node), nullptr);
  EXPECT_EQ(read_all(old_entry.node), "old");  // an open reader keeps its version
  EXPECT_EQ(budget_.used(), 7u);               // the stale result is uncharged
  auto dropped = tree_.take_dropped_versions();
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].first, img->ino);
  EXPECT_EQ(dropped[0].second, old_entry.node->image_version);
  EXPECT_TRUE(tree_.take_dropped_versions().empty());
}

TEST_F(TreeTest, RemovingAnAnalysedImageDropsItsVersion) {
  auto img = create(kRootIno, "a.jpg", "IMG");
  auto plain = create(kRootIno, "b.jpg", "IMG");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &e), 0);
  ASSERT_EQ(tree_.unlink(kRootIno, "a.jpg"), 0);
  ASSERT_EQ(tree_.unlink(kRootIno, "b.jpg"), 0);  // never analysed: nothing to drop
  auto dropped = tree_.take_dropped_versions();
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].first, img->ino);
}

TEST_F(TreeTest, SidecarsFollowRenameAndVanishWithTheImage) {
  create(kRootIno, "a.jpg", "IMG");
  Entry before;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &before), 0);
  ASSERT_EQ(tree_.rename(kRootIno, "a.jpg", kRootIno, "b.jpg", 0), 0);
  Entry after, gone;
  ASSERT_EQ(tree_.lookup(kRootIno, "b.jpg.meta.json", &after), 0);
  EXPECT_EQ(after.node->ino, before.node->ino);  // the same result, renamed
  EXPECT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &gone), ENOENT);
  ASSERT_EQ(tree_.unlink(kRootIno, "b.jpg"), 0);
  EXPECT_EQ(tree_.lookup(kRootIno, "b.jpg.meta.json", &gone), ENOENT);
  EXPECT_TRUE(names(kRootIno).empty());
}

TEST_F(TreeTest, ARealFileShadowsASidecarName) {
  create(kRootIno, "a.jpg.meta.json", "mine");
  create(kRootIno, "a.jpg", "IMG");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.meta.json", &e), 0);
  EXPECT_EQ(e.node->kind, NodeKind::kFile);
  auto listing = names(kRootIno);
  EXPECT_EQ(std::count(listing.begin(), listing.end(), "a.jpg.meta.json"), 1);
}

TEST_F(TreeTest, ImageOpenForWritingIsReported) {
  auto img = create(kRootIno, "a.jpg", "IMG");
  OpenResult o;
  ASSERT_EQ(tree_.open(img, O_WRONLY, &o), 0);
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, "a.jpg.faces.json", &e), 0);
  EXPECT_TRUE(tree_.sidecar_source(e.node).image_open_for_writing);
  auto released = tree_.release(img, O_WRONLY);
  EXPECT_TRUE(released.last_writer);
  EXPECT_FALSE(tree_.sidecar_source(e.node).image_open_for_writing);
}

}  // namespace
}  // namespace visionfs::cache
