// The user's file always wins over a computed sidecar name, in any order
// (docs/design.md, "Your files win"): creating, renaming, replacing or
// making a directory onto the name stores the user's entry, which shadows
// the computed one until it is removed; removing a computed name hides it
// until the image changes; NAME.json and NAME.xmp of an image copied into a
// new directory still being filled wait until it is quiet.

#include "tree_fixture.h"

#include <algorithm>

namespace visionfs::cache {
namespace {

bool lists(const std::vector<std::string>& names, const std::string& name) {
  return std::count(names.begin(), names.end(), name) == 1;
}

class YourFilesTest : public TreeTest {
 protected:
  // An image in a directory that has been quiet: all its names show.
  NodePtr settled_image(const std::string& name) {
    auto image = create(kRootIno, name, "IMG-photo");
    clock_.advance(kNameQuiet);
    return image;
  }
  NodePtr node_at(const std::string& name) {
    Entry e;
    return tree_.lookup(kRootIno, name, &e) == 0 ? e.node : nullptr;
  }
};

TEST_F(YourFilesTest, AFileCreatedOnAComputedNameShadowsItUntilRemoved) {
  settled_image("a.jpg");
  auto computed = node_at("a.jpg.xmp");
  ASSERT_TRUE(computed);
  ASSERT_EQ(computed->kind, NodeKind::kSidecar);
  Entry e;
  OpenResult o;
  ASSERT_EQ(tree_.create(kRootIno, "a.jpg.xmp", 0644, O_CREAT | O_EXCL | O_WRONLY, {}, &e, &o), 0);
  ASSERT_EQ(tree_.write(e.node, 0, bytes("<darktable/>")), 0);
  tree_.release(e.node, O_WRONLY);
  auto theirs = node_at("a.jpg.xmp");
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->kind, NodeKind::kFile);
  EXPECT_EQ(read_all(theirs), "<darktable/>");
  EXPECT_TRUE(lists(names(kRootIno), "a.jpg.xmp")) << "listed once";
  EXPECT_TRUE(node_at("a.jpg.json")) << "the image's other names are unaffected";
  ASSERT_EQ(tree_.unlink(kRootIno, "a.jpg.xmp"), 0);
  auto back = node_at("a.jpg.xmp");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, NodeKind::kSidecar) << "removing the user's file brings the computed one back";
}

TEST_F(YourFilesTest, RenamingOntoAComputedNameWorksAsAPhotoManagersSave) {
  settled_image("a.jpg");
  create(kRootIno, ".a.jpg.xmp.tmp", "<saved/>");
  ASSERT_EQ(tree_.rename(kRootIno, ".a.jpg.xmp.tmp", kRootIno, "a.jpg.xmp", 0), 0);
  auto saved = node_at("a.jpg.xmp");
  ASSERT_TRUE(saved);
  EXPECT_EQ(read_all(saved), "<saved/>");
  EXPECT_TRUE(lists(names(kRootIno), "a.jpg.xmp"));
  EXPECT_EQ(tree_.rename(kRootIno, "a.jpg.faces.json", kRootIno, "elsewhere", 0), EPERM)
      << "a computed file itself cannot be moved away";
}

TEST_F(YourFilesTest, ATruncatingOpenReplacesTheComputedFileWithAnEmptyOneOfTheUsers) {
  settled_image("a.jpg");
  auto computed = node_at("a.jpg.json");
  ASSERT_EQ(tree_.replace_computed(computed, 0640, Caller{1000, 1000}), 0);
  auto theirs = node_at("a.jpg.json");
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->kind, NodeKind::kFile);
  EXPECT_EQ(read_all(theirs), "");
  struct stat st {};
  ASSERT_EQ(tree_.getattr(theirs->ino, &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(tree_.replace_computed(computed, 0640, {}), 0) << "a second racer finds it replaced";
}

TEST_F(YourFilesTest, ADirectoryMayTakeAComputedName) {
  settled_image("a.jpg");
  Entry e;
  ASSERT_EQ(tree_.mkdir(kRootIno, "a.jpg.json", 0755, {}, &e), 0);
  EXPECT_EQ(node_at("a.jpg.json")->kind, NodeKind::kDirectory);
  EXPECT_TRUE(lists(names(kRootIno), "a.jpg.json"));
}

TEST_F(YourFilesTest, RemovingAComputedNameHidesItUntilTheImageChanges) {
  auto image = settled_image("a.jpg");
  ASSERT_EQ(tree_.unlink(kRootIno, "a.jpg.json"), 0);
  EXPECT_FALSE(node_at("a.jpg.json"));
  EXPECT_FALSE(lists(names(kRootIno), "a.jpg.json"));
  EXPECT_EQ(tree_.unlink(kRootIno, "a.jpg.json"), ENOENT);
  EXPECT_TRUE(node_at("a.jpg.faces.json")) << "only that name";
  ASSERT_EQ(tree_.write(image, 0, bytes("IMG-new")), 0);
  EXPECT_TRUE(node_at("a.jpg.json")) << "new bytes, new sidecars";
}

TEST_F(YourFilesTest, NamesOtherToolsAlsoWriteWaitWhileTheDirectoryIsBeingFilled) {
  // cp -r lib MOUNT/: a new directory, the photo, then the photo's own XMP
  // and Takeout JSON with O_CREAT|O_EXCL, which the kernel refuses once our
  // name exists.
  const Ino lib = mkdir(kRootIno, "lib");
  create(lib, "a.jpg", "IMG-photo");
  Entry e;
  EXPECT_EQ(tree_.lookup(lib, "a.jpg.xmp", &e), ENOENT);
  EXPECT_EQ(tree_.lookup(lib, "a.jpg.json", &e), ENOENT);
  EXPECT_EQ(tree_.lookup(lib, "a.jpg.faces.json", &e), 0) << "no tool writes these: at once";
  create(lib, "a.jpg.xmp", "<theirs/>");
  create(lib, "b.jpg", "IMG-other");
  clock_.advance(kNameQuiet - std::chrono::milliseconds(1));
  EXPECT_EQ(tree_.lookup(lib, "b.jpg.json", &e), ENOENT) << "not quiet yet";
  clock_.advance(std::chrono::milliseconds(1));
  ASSERT_EQ(tree_.lookup(lib, "a.jpg.xmp", &e), 0);
  EXPECT_EQ(read_all(e.node), "<theirs/>");
  EXPECT_EQ(tree_.lookup(lib, "a.jpg.json", &e), 0);
  EXPECT_EQ(e.node->kind, NodeKind::kSidecar);
  EXPECT_EQ(tree_.lookup(lib, "b.jpg.json", &e), 0);
}

TEST_F(YourFilesTest, AWaitingNameWaitsOnlyForTheProcessesFillingTheDirectory) {
  // `mkdir new && cp a.jpg new/ && jq . new/a.jpg.json`: jq is not the
  // copier, and must not be told ENOENT for a second.
  const Ino lib = mkdir(kRootIno, "lib");
  const pid_t copier = gettid();  // this test's thread plays cp
  const pid_t reader = 1;         // init: certainly another process
  Entry e;
  OpenResult o;
  ASSERT_EQ(tree_.create(lib, "a.jpg", 0644, O_CREAT | O_WRONLY, Caller{0, 0, copier}, &e, &o), 0);
  ASSERT_EQ(tree_.write(e.node, 0, bytes("IMG-photo")), 0);
  tree_.release(e.node, O_WRONLY);
  EXPECT_EQ(tree_.lookup(lib, "a.jpg.json", &e, copier), ENOENT) << "the copier may still bring its own";
  ASSERT_EQ(tree_.lookup(lib, "a.jpg.json", &e, reader), 0);
  EXPECT_TRUE(e.provisional) << "the kernel must not keep it for the copier to meet";
  std::vector<DirEntry> listing;
  Ino parent = 0;
  ASSERT_EQ(tree_.readdir(lib, &listing, &parent, reader), 0);
  auto it = std::find_if(listing.begin(), listing.end(), [](const DirEntry& d) { return d.name == "a.jpg.xmp"; });
  ASSERT_NE(it, listing.end()) << "the reader's ls shows it";
  EXPECT_FALSE(it->attr_known) << "no readdirplus entry for it";
  ASSERT_EQ(tree_.readdir(lib, &listing, &parent, copier), 0);
  EXPECT_EQ(std::count_if(listing.begin(), listing.end(), [](const DirEntry& d) { return d.name == "a.jpg.xmp"; }), 0);
  clock_.advance(kNameQuiet);
  ASSERT_EQ(tree_.lookup(lib, "a.jpg.json", &e, copier), 0);
  EXPECT_FALSE(e.provisional);
}

TEST_F(YourFilesTest, CopiesIntoADirectoryThatWasQuietOnceShowEveryNameAtOnce) {
  // `cp a.jpg b.jpg MOUNT/ && jq . MOUNT/b.jpg.json` must work. There cp
  // checks each name before writing and truncates (replace_computed), tar
  // unlinks and tries again, rsync renames: none needs the name to wait.
  const Ino dir = mkdir(kRootIno, "photos");
  clock_.advance(kNameQuiet);
  for (const Ino where : {kRootIno, dir}) {
    create(where, "a.jpg", "IMG-photo");
    create(where, "b.jpg", "IMG-other");
    Entry e;
    EXPECT_EQ(tree_.lookup(where, "b.jpg.json", &e), 0);
    EXPECT_EQ(tree_.lookup(where, "b.jpg.xmp", &e), 0);
  }
}

TEST_F(YourFilesTest, WaitingNamesAreAnnouncedOnlyOnceTheyExist) {
  const Ino lib = mkdir(kRootIno, "lib");
  auto image = create(lib, "a.jpg", "IMG-photo");
  auto arrived = tree_.arrived();
  const bool json_now =
      std::any_of(arrived.begin(), arrived.end(), [](const DepartedName& d) { return d.name == "a.jpg.json"; });
  EXPECT_FALSE(json_now) << "announced before it can be looked up";
  clock_.advance(kNameQuiet);
  arrived = tree_.arrived();
  EXPECT_TRUE(
      std::any_of(arrived.begin(), arrived.end(), [](const DepartedName& d) { return d.name == "a.jpg.json"; }));
}

}  // namespace
}  // namespace visionfs::cache
