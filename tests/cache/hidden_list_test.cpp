// Every directory's .hidden (cache/tree_hidden.cpp): the computed sidecar
// names, one per line, for GLib and KIO to hide; the user's own .hidden
// wins and has the computed names merged after its lines.

#include "tree_fixture.h"

namespace visionfs::cache {
namespace {

class HiddenListTest : public TreeTest {
 protected:
  std::string hidden_text(Ino dir) {
    Entry e;
    if (tree_.lookup(dir, kHiddenList, &e) != 0) return "<none>";
    std::string text;
    EXPECT_EQ(tree_.hidden_list_text(e.node, &text), 0);
    struct stat st {};
    EXPECT_EQ(tree_.getattr(e.node->ino, &st), 0);
    if (e.node->kind == NodeKind::kNameList) {
      EXPECT_EQ(static_cast<std::size_t>(st.st_size), text.size());
    }
    return text;
  }
};

TEST_F(HiddenListTest, ListsTheComputedNamesOfEveryImage) {
  create(kRootIno, "a.jpg", "IMG-a");
  create(kRootIno, "notes.txt", "text");
  clock_.advance(kNameQuiet);
  EXPECT_EQ(hidden_text(kRootIno), "a.jpg.json\na.jpg.xmp\na.jpg.faces.json\na.jpg.meta.json\n");
  std::vector<DirEntry> entries;
  Ino parent = 0;
  ASSERT_EQ(tree_.readdir(kRootIno, &entries, &parent), 0);
  EXPECT_EQ(entries.front().name, kHiddenList) << "listed, so `ls -a` and scripts see it";
}

TEST_F(HiddenListTest, NamesAreListedBeforeTheyAppear) {
  // GLib reads .hidden once for 5 s: a file still being written, or waiting
  // for its directory to go quiet, is listed already.
  Entry e;
  OpenResult o;
  ASSERT_EQ(tree_.create(kRootIno, "new.jpg", 0644, O_CREAT | O_WRONLY, {}, &e, &o), 0);
  EXPECT_NE(hidden_text(kRootIno).find("new.jpg.json\n"), std::string::npos);
  tree_.release(e.node, O_WRONLY);
}

TEST_F(HiddenListTest, AnEmptyDirectoryHasNone) {
  const Ino dir = mkdir(kRootIno, "empty");
  EXPECT_EQ(hidden_text(dir), "<none>");
  EXPECT_TRUE(names(dir).empty());
  create(dir, "doc.txt", "not an image");
  EXPECT_EQ(hidden_text(dir), "<none>");
}

TEST_F(HiddenListTest, ShadowedAndRemovedNamesAreNotListed) {
  create(kRootIno, "a.jpg", "IMG-a");
  clock_.advance(kNameQuiet);
  create(kRootIno, "a.jpg.xmp", "<theirs/>");
  ASSERT_EQ(tree_.unlink(kRootIno, "a.jpg.faces.json"), 0);
  EXPECT_EQ(hidden_text(kRootIno), "a.jpg.json\na.jpg.meta.json\n");
}

TEST_F(HiddenListTest, TheUsersOwnHiddenKeepsItsLinesAndGetsOursAfter) {
  create(kRootIno, "a.jpg", "IMG-a");
  create(kRootIno, kHiddenList, "private\na.jpg.meta.json");  // no final newline
  clock_.advance(kNameQuiet);
  EXPECT_EQ(hidden_text(kRootIno), "private\na.jpg.meta.json\na.jpg.json\na.jpg.xmp\na.jpg.faces.json\n");
}

TEST_F(HiddenListTest, ItsTimeMovesWhenTheNamesChange) {
  create(kRootIno, "a.jpg", "IMG-a");
  Entry e;
  ASSERT_EQ(tree_.lookup(kRootIno, kHiddenList, &e), 0);
  struct stat before {};
  ASSERT_EQ(tree_.getattr(e.node->ino, &before), 0);
  struct timespec pause {0, 2'000'000};
  nanosleep(&pause, nullptr);  // wall-clock mtimes need the wall clock to move
  create(kRootIno, "b.jpg", "IMG-b");
  struct stat after {};
  ASSERT_EQ(tree_.getattr(e.node->ino, &after), 0);
  EXPECT_TRUE(after.st_mtim.tv_sec > before.st_mtim.tv_sec ||
              (after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec > before.st_mtim.tv_nsec));
}

}  // namespace
}  // namespace visionfs::cache
