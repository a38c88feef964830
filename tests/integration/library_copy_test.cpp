// A photo library that carries its own sidecars copies in whole, byte for
// byte, with the tools people use (docs/design.md, "Your files win"):
// darktable's and digiKam's NAME.jpg.xmp and Google Takeout's NAME.jpg.json
// and NAME.jpg.supplemental-metadata.json take the names visionfs computes,
// and the user's files win in any order they arrive.

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

class LibraryCopyTest : public SidecarFixture {
 protected:
  // scratch/lib: four photos, each with an XMP and Takeout JSON; one with a
  // Takeout supplemental file too. Some sidecars are older than their photo
  // (tar and rsync then write them in a different order from cp).
  void SetUp() override {
    SidecarFixture::SetUp();
    ASSERT_TRUE(succeeded(run("mkdir -p " + qs("lib/album"))));
    const std::vector<std::string> photos = {"fruits.jpg", "messi5.jpg", "building.jpg", "baboon.jpg"};
    for (size_t i = 0; i < photos.size(); ++i) {
      const std::string dir = i % 2 ? "lib/album/" : "lib/";
      const std::string p = dir + photos[i];
      ASSERT_TRUE(succeeded(run("cp " + shell_quote(sample_image(photos[i])) + " " + qs(p))));
      write_text(s(p + ".xmp"), "<x:xmpmeta xmlns:x='adobe:ns:meta/'><!-- darktable " + photos[i] + " --></x:xmpmeta>\n");
      write_text(s(p + ".json"), "{\"title\": \"" + photos[i] + "\", \"photoTakenTime\": {\"timestamp\": \"1\"}}\n");
      if (i == 0) write_text(s(p + ".supplemental-metadata.json"), "{\"people\": []}\n");
      if (i == 2) ASSERT_TRUE(succeeded(run("touch -d 2001-01-01 " + qs(p + ".xmp") + " " + qs(p + ".json"))));
    }
    files_ = split_lines(run("cd " + qs("lib") + " && find . -type f | sort").out);
    ASSERT_EQ(files_.size(), 13u);
  }
  static void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  static std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  // Every file of the library is in the mount at `where`, byte for byte.
  void expect_library_at(const std::string& where) {
    for (const auto& f : files_) {
      EXPECT_TRUE(same_bytes(s("lib/" + f), m(where + "/" + f))) << where << ": " << f;
    }
  }
  std::vector<std::string> files_;
};

TEST_F(LibraryCopyTest, RsyncCopiesItWhole) {
  auto r = run("rsync -a " + qs("lib") + "/ " + qm("rsynced") + "/", 120);
  ASSERT_EQ(r.status, 0) << r.describe();
  expect_library_at("rsynced");
  // And again, over what is there (rsync's temporary file, then rename).
  ASSERT_TRUE(succeeded(run("echo '<edited/>' > " + qs("lib/fruits.jpg.xmp"))));
  r = run("rsync -a " + qs("lib") + "/ " + qm("rsynced") + "/", 120);
  ASSERT_EQ(r.status, 0) << r.describe();
  expect_library_at("rsynced");
}

TEST_F(LibraryCopyTest, CpRecursiveAndArchiveCopyItWhole) {
  for (const std::string flags : {"-r", "-a"}) {
    const std::string where = "cp" + flags;
    auto r = run("cp " + flags + " " + qs("lib") + " " + qm(where), 120);
    ASSERT_EQ(r.status, 0) << r.describe();
    expect_library_at(where);
  }
}

TEST_F(LibraryCopyTest, TarExtractsItWhole) {
  ASSERT_TRUE(succeeded(run("tar -C " + qs("lib") + " -cf " + qs("lib.tar") + " .")));
  ASSERT_TRUE(succeeded(run("mkdir " + qm("untarred"))));
  auto r = run("tar -C " + qm("untarred") + " -xf " + qs("lib.tar"), 120);
  ASSERT_EQ(r.status, 0) << r.describe();
  expect_library_at("untarred");
}

TEST_F(LibraryCopyTest, SidecarsCopiedAfterThePhotoIntoAnOldDirectoryWin) {
  // Into a directory that already settled, one file at a time, the photo
  // first: cp finds our NAME.xmp and truncates it (the user's file replaces it).
  ASSERT_TRUE(succeeded(run("mkdir " + qm("old"))));
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the directory settles (kNameQuiet)
  for (const char* f : {"fruits.jpg", "fruits.jpg.xmp", "fruits.jpg.json", "fruits.jpg.supplemental-metadata.json"}) {
    auto r = run("cp " + qs(std::string("lib/") + f) + " " + qm(std::string("old/") + f));
    ASSERT_EQ(r.status, 0) << r.describe();
    EXPECT_TRUE(same_bytes(s(std::string("lib/") + f), m(std::string("old/") + f))) << f;
  }
  // Removing the user's files brings the computed ones back.
  ASSERT_TRUE(succeeded(run("rm " + qm("old/fruits.jpg.xmp") + " " + qm("old/fruits.jpg.json"))));
  EXPECT_NE(cat("old/fruits.jpg.xmp").find("visionfs"), std::string::npos);
  auto ours = read_json("old/fruits.jpg.json");
  EXPECT_TRUE(ours.is_object() && !ours.contains("title")) << ours.dump();
}

}  // namespace
}  // namespace visionfs::itest
