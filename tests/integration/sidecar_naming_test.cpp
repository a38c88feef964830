// Which sidecars exist and how they behave as files: one per available
// analyzer plus NAME.json for every image (recognised by content, not by
// name), none for other files; read-only in place but yielding to the
// user's own files of their names; they follow
// their image through rename, vanish with it, and change when it changes.

#include <algorithm>
#include <tuple>

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

using std::chrono::seconds;

class SidecarNamingTest : public SidecarFixture {};

TEST_F(SidecarNamingTest, EveryDecodableFormatGetsOneSidecarPerAvailableAnalyzer) {
  const auto analyzers = available_analyzers();
  ASSERT_FALSE(analyzers.empty());
  // config.json agrees with itself: "analyzers" are the enabled, available ones.
  auto c = config();
  EXPECT_EQ(c["analyzers"].get<std::vector<std::string>>(), analyzers) << c.dump(2);

  put("messi5.jpg", "photo.jpg");
  put("smarties.png", "photo.png");
  // zint writes the same barcode as GIF, BMP and TIFF.
  for (const char* type : {"GIF", "BMP", "TIF"}) {
    std::string ext = type;
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(ch));
    ASSERT_TRUE(succeeded(run("zint --filetype=" + std::string(type) + " -b 20 -d 'VISIONFS-" + type + "' -o " +
                              qs("code." + ext))));
    put(s("code." + ext), "code." + ext);
  }
  std::vector<std::string> images = {"photo.jpg", "photo.png", "code.gif", "code.bmp", "code.tif"};
  const std::string webp = imghdr_sample("python.webp");
  if (!webp.empty()) {
    put(webp, "python.webp");
    images.push_back("python.webp");
  } else {
    std::cout << "[ NOTE     ] no WEBP sample found (Python's test/imghdrdata): WEBP not covered\n";
  }
  // Content decides, not the name: a JPEG without an extension, a PNG named .txt.
  put("messi5.jpg", "no_extension");
  put("smarties.png", "looks_like.txt");
  images.push_back("no_extension");
  images.push_back("looks_like.txt");

  std::vector<std::string> expected;
  for (const auto& img : images) {
    expected.push_back(img);
    for (const auto& n : sidecar_names(img, analyzers)) expected.push_back(n);
  }
  EXPECT_EQ(list(), sorted(expected));

  for (const auto& img : images) {
    auto meta = read_json(img + ".meta.json");
    EXPECT_FALSE(meta.contains("error")) << img << ": " << meta.dump();
    EXPECT_GT(meta.value("width", 0), 0) << img << ": " << meta.dump();
    EXPECT_EQ(meta.value("analyzer", ""), "meta");
  }
}

TEST_F(SidecarNamingTest, FilesThatAreNotImagesGetNoSidecars) {
  write_malformed(Malformed::kRandomJpg, s("random.jpg"));
  write_malformed(Malformed::kTextPng, s("text.png"));
  write_malformed(Malformed::kEmpty, s("empty.jpg"));
  for (const char* n : {"random.jpg", "text.png", "empty.jpg"}) put(s(n), n);
  ASSERT_TRUE(succeeded(run("echo hello > " + qm("notes.txt") + " && mkdir " + qm("album.jpg"))));
  EXPECT_EQ(list(), (std::vector<std::string>{"album.jpg", "empty.jpg", "notes.txt", "random.jpg", "text.png"}));
  for (const char* n : {"random.jpg", "text.png", "empty.jpg", "notes.txt", "album.jpg"}) {
    EXPECT_EQ(errno_of("os.stat(p)", std::string(n) + ".json"), "ENOENT") << n;
    EXPECT_EQ(errno_of("os.stat(p)", std::string(n) + ".meta.json"), "ENOENT") << n;
  }
  auto st = stats();
  EXPECT_EQ(st["images"].get<int>(), 0) << st.dump(2);
  EXPECT_EQ(st["decodes"]["count"].get<int>(), 0) << st.dump(2);
}

// A computed sidecar cannot be changed in place, but the user's own file of
// that name always wins (docs/design.md, "Your files win"): removing,
// replacing, renaming onto it all work, and rm brings the computed one back.
TEST_F(SidecarNamingTest, SidecarsAreReadOnlyButYieldToTheUsersFiles) {
  put("messi5.jpg", "a.jpg");
  write_random_file(s("plain.bin"), 1000, 5);
  put(s("plain.bin"), "plain.bin");
  const std::string meta = "a.jpg.meta.json";
  const std::string before = cat(meta);
  const std::string cold = "a.jpg.hash.json";  // never read before the probes

  for (const auto& sidecar : {meta, cold, std::string("a.jpg.json")}) {
    SCOPED_TRACE(sidecar);
    EXPECT_EQ(errno_of("os.open(p, os.O_WRONLY)", sidecar), "EACCES");
    EXPECT_EQ(errno_of("os.open(p, os.O_RDWR)", sidecar), "EACCES");
    EXPECT_EQ(errno_of("os.open(p, os.O_WRONLY | os.O_APPEND)", sidecar), "EACCES");
    EXPECT_EQ(errno_of("os.open(p, os.O_RDONLY | os.O_TRUNC)", sidecar), "EACCES");
    EXPECT_EQ(errno_of("os.truncate(p, 0)", sidecar), "EACCES");
    EXPECT_EQ(errno_of("os.chmod(p, 0o600)", sidecar), "EPERM");
    EXPECT_EQ(errno_of("os.utime(p)", sidecar), "EPERM") << "touch must not change its time";
    EXPECT_EQ(errno_of("os.rename(p, q)", sidecar, "moved.json"), "EPERM") << "computed: it cannot move";
    // The kernel itself refuses an exclusive create over an existing name.
    EXPECT_EQ(errno_of("os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL)", sidecar), "EEXIST");
    EXPECT_EQ(errno_of("os.mkdir(p)", sidecar), "EEXIST");
  }
  EXPECT_EQ(cat(meta), before) << "nothing above changed it";
  auto touch = run("touch " + qm(meta));
  EXPECT_NE(touch.status, 0) << touch.describe();

  // The user's file wins: a redirection replaces it ...
  ASSERT_TRUE(succeeded(run("echo mine > " + qm(meta))));
  EXPECT_EQ(cat(meta), "mine\n");
  // ... rm brings the computed one back ...
  ASSERT_TRUE(succeeded(run("rm " + qm(meta))));
  EXPECT_EQ(cat(meta), before);
  // ... rm of the computed one hides it, until the image changes ...
  ASSERT_TRUE(succeeded(run("rm " + qm(meta))));
  EXPECT_EQ(errno_of("os.stat(p)", meta), "ENOENT");
  auto names = list();
  EXPECT_EQ(std::count(names.begin(), names.end(), meta), 0);
  // ... and a rename onto the name (a photo manager's save) is kept.
  ASSERT_TRUE(succeeded(run("cp " + qm("plain.bin") + " " + qm("tmp.bin") + " && mv " + qm("tmp.bin") + " " +
                            qm("a.jpg.xmp"))));
  EXPECT_TRUE(same_bytes(s("plain.bin"), m("a.jpg.xmp")));
  names = list();
  EXPECT_EQ(std::count(names.begin(), names.end(), "a.jpg.xmp"), 1) << "listed once";
  EXPECT_NE(cat(cold).find("phash"), std::string::npos) << "the image's other sidecars are unaffected";
  EXPECT_TRUE(same_bytes(sample_image("messi5.jpg"), m("a.jpg")));
  put("fruits.jpg", "a.jpg");
  EXPECT_NE(cat(meta).find("\"width\""), std::string::npos) << "new bytes: the removed name is back";
}

TEST_F(SidecarNamingTest, SidecarsFollowRenameAndVanishWithRm) {
  const auto analyzers = available_analyzers();
  ASSERT_TRUE(succeeded(run("mkdir " + qm("sub"))));
  put("messi5.jpg", "a.jpg");
  auto meta = read_json("a.jpg.meta.json");
  ASSERT_EQ(meta.value("width", 0), 548) << meta.dump();

  ASSERT_TRUE(succeeded(run("mv " + qm("a.jpg") + " " + qm("b.jpg"))));
  auto want = sidecar_names("b.jpg", analyzers);
  want.push_back("b.jpg");
  want.push_back("sub");
  EXPECT_EQ(list(), sorted(want));
  EXPECT_EQ(errno_of("os.stat(p)", "a.jpg.meta.json"), "ENOENT");
  EXPECT_EQ(errno_of("os.stat(p)", "a.jpg.json"), "ENOENT");
  EXPECT_EQ(read_json("b.jpg.meta.json").value("width", 0), 548);

  // Into another directory.
  ASSERT_TRUE(succeeded(run("mv " + qm("b.jpg") + " " + qm("sub/c.jpg"))));
  EXPECT_EQ(list(), std::vector<std::string>{"sub"});
  auto in_sub = sidecar_names("c.jpg", analyzers);
  in_sub.push_back("c.jpg");
  EXPECT_EQ(list("sub"), sorted(in_sub));
  EXPECT_EQ(read_json("sub/c.jpg.meta.json").value("width", 0), 548);
  const auto messi_colors = read_json("sub/c.jpg.colors.json")["dominantColors"]["colors"][0]["color"];

  // Onto an existing image: the target's sidecars now describe the moved one.
  put("squirrel_cls.jpg", "sub/d.jpg");
  EXPECT_EQ(read_json("sub/d.jpg.meta.json").value("width", 0), 535);
  ASSERT_TRUE(succeeded(run("mv " + qm("sub/c.jpg") + " " + qm("sub/d.jpg"))));
  auto d_only = sidecar_names("d.jpg", analyzers);
  d_only.push_back("d.jpg");
  EXPECT_EQ(list("sub"), sorted(d_only));
  EXPECT_EQ(read_json("sub/d.jpg.meta.json").value("width", 0), 548);
  EXPECT_EQ(read_json("sub/d.jpg.json")["imagePropertiesAnnotation"]["dominantColors"]["colors"][0]["color"],
            messi_colors);

  ASSERT_TRUE(succeeded(run("rm " + qm("sub/d.jpg"))));
  EXPECT_TRUE(list("sub").empty()) << ::testing::PrintToString(list("sub"));
  auto r = run("cat " + qm("sub/d.jpg.meta.json"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.describe();
  EXPECT_EQ(stats()["images"].get<int>(), 0);
}

TEST_F(SidecarNamingTest, OverwritingTheImageGivesNewResults) {
  put("messi5.jpg", "x.jpg");
  auto first = read_json("x.jpg.meta.json");
  EXPECT_EQ(first.value("width", 0), 548);
  EXPECT_EQ(first.value("height", 0), 342);
  auto hash_first = cat("x.jpg.hash.json");

  put("squirrel_cls.jpg", "x.jpg");  // cp opens with O_TRUNC and rewrites
  const std::string text = cat("x.jpg.meta.json");
  auto second = parse_or_fail(text, "x.jpg.meta.json");
  EXPECT_EQ(second.value("width", 0), 535) << text;
  EXPECT_EQ(second.value("height", 0), 426) << text;
  auto size = run("stat -c %s " + qm("x.jpg.meta.json"));
  EXPECT_EQ(size.out, std::to_string(text.size()) + "\n");
  EXPECT_NE(cat("x.jpg.hash.json"), hash_first);
  EXPECT_EQ(read_json("x.jpg.json")["imagePropertiesAnnotation"]["dominantColors"]["colors"][0]["color"],
            read_json("x.jpg.colors.json")["dominantColors"]["colors"][0]["color"]);

  // Overwritten with something that is not an image: no sidecars; and back.
  write_random_file(s("noise.jpg"), 4000, 9);
  put(s("noise.jpg"), "x.jpg");
  EXPECT_EQ(list(), std::vector<std::string>{"x.jpg"});
  EXPECT_EQ(errno_of("os.stat(p)", "x.jpg.meta.json"), "ENOENT");
  put("LinuxLogo.jpg", "x.jpg");
  EXPECT_EQ(read_json("x.jpg.meta.json").value("width", 0), 320);
}

// A writer that stops half-way and waits for a go file before finishing.
std::string slow_writer(const std::string& source, const std::string& target, const std::string& go_file) {
  const std::string script =
      "import os, sys, time\n"
      "src, dst, go = sys.argv[1:4]\n"
      "data = open(src, 'rb').read()\n"
      "with open(dst, 'wb') as f:\n"
      "    f.write(data[:len(data) // 2]); f.flush()\n"
      "    print('half', flush=True)\n"
      "    while not os.path.exists(go): time.sleep(0.05)\n"
      "    f.write(data[len(data) // 2:])\n"
      "print('closed', flush=True)\n";
  return python3() + " -c " + shell_quote(script) + " " + shell_quote(source) + " " + shell_quote(target) + " " +
         shell_quote(go_file);
}

TEST_F(SidecarNamingTest, ASidecarWaitsForItsImageToBeClosed) {
  // In a subdirectory: the kernel serialises lookups per directory unless
  // the daemon enables parallel dirops, and this test is about the wait
  // itself (PendingSidecarDoesNotBlockItsDirectory is about that).
  ASSERT_TRUE(succeeded(run("mkdir " + qm("w"))));
  BackgroundProcess writer(slow_writer(sample_image("messi5.jpg"), m("w/w.jpg"), s("go")), s("writer.out"),
                           s("writer.err"));
  ASSERT_TRUE(poll_until([&] { return writer.stdout_text() == "half\n"; }, seconds(20))) << writer.stderr_text();
  BackgroundProcess reader("cat " + qm("w/w.jpg.meta.json"), s("reader.out"), s("reader.err"));
  // The reader must still be waiting while the image is open for writing.
  EXPECT_FALSE(poll_until([&] { return !reader.running(); }, seconds(2)))
      << "read returned while the image was open for writing: " << reader.stdout_text() << reader.stderr_text();
  EXPECT_EQ(stat_of(stats(), "meta"), 0u);
  ASSERT_TRUE(succeeded(run("touch " + qs("go"))));
  ASSERT_TRUE(poll_until([&] { return !reader.running(); }, seconds(60))) << "reader never finished";
  EXPECT_EQ(reader.stop(), 0) << reader.stderr_text();
  auto meta = parse_or_fail(reader.stdout_text(), "meta read during the write");
  EXPECT_EQ(meta.value("width", 0), 548) << meta.dump();
  EXPECT_FALSE(meta.contains("error")) << meta.dump();
  EXPECT_EQ(stat_of(stats(), "meta"), 1u);
  EXPECT_EQ(writer.stdout_text(), "half\nclosed\n");
}

// While one sidecar's lookup waits (here: for its image to be closed, up to
// 30 s), the rest of its directory stays usable. The kernel holds a
// per-directory mutex across every LOOKUP and READDIR unless the daemon
// enables FUSE_CAP_PARALLEL_DIROPS; then `ls` and every other lookup in the
// directory hang, uninterruptibly, until the pending sidecar is answered.
TEST_F(SidecarNamingTest, PendingSidecarDoesNotBlockItsDirectory) {
  ASSERT_TRUE(succeeded(run("echo hello > " + qm("other.txt"))));
  put("LinuxLogo.jpg", "ready.jpg");
  BackgroundProcess writer(slow_writer(sample_image("messi5.jpg"), m("w.jpg"), s("go")), s("writer.out"),
                           s("writer.err"));
  ASSERT_TRUE(poll_until([&] { return writer.stdout_text() == "half\n"; }, seconds(20))) << writer.stderr_text();
  BackgroundProcess reader("cat " + qm("w.jpg.meta.json"), s("reader.out"), s("reader.err"));
  EXPECT_FALSE(poll_until([&] { return !reader.running(); }, seconds(1)));

  for (const std::string& command : {"ls " + qm(""), "cat " + qm("other.txt"), "cat " + qm("ready.jpg.meta.json"),
                                     "cat " + qm(".visionfs/stats.json")}) {
    auto start = std::chrono::steady_clock::now();
    auto r = run(command, 60);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    EXPECT_TRUE(succeeded(r));
    EXPECT_LT(took, seconds(10)) << command << " took " << took.count()
                                 << " ms while another sidecar of its directory was pending";
  }
  ASSERT_TRUE(succeeded(run("touch " + qs("go"))));
  EXPECT_TRUE(poll_until([&] { return !reader.running(); }, seconds(60)));
}

TEST_F(SidecarNamingTest, ASidecarOfAnImageOpenForWritingFailsWithEbusyAfter30s) {
  BackgroundProcess writer(slow_writer(sample_image("messi5.jpg"), m("w.jpg"), s("go")), s("writer.out"),
                           s("writer.err"), 120);
  ASSERT_TRUE(poll_until([&] { return writer.stdout_text() == "half\n"; }, seconds(20))) << writer.stderr_text();
  auto start = std::chrono::steady_clock::now();
  auto r = run("cat " + qm("w.jpg.meta.json"), 90);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Device or resource busy"), std::string::npos) << r.describe();
  EXPECT_GE(waited, seconds(25)) << "gave up too early";
  ASSERT_TRUE(succeeded(run("touch " + qs("go"))));
  ASSERT_TRUE(poll_until([&] { return writer.stdout_text() == "half\nclosed\n"; }, seconds(20)));
  // Once closed, the same sidecar is computed from the whole image.
  EXPECT_EQ(read_json("w.jpg.meta.json").value("width", 0), 548);
}

}  // namespace
}  // namespace visionfs::itest

namespace visionfs::itest {
namespace {

// Sidecars expire with their image (-o ttl): they leave the listing, and
// their names stop resolving, computed or not.
class SidecarTtlTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
  std::vector<std::string> extra_options() const override { return {"ttl=2s"}; }
};

TEST_F(SidecarTtlTest, SidecarsExpireWithTheirImage) {
  put("messi5.jpg", "a.jpg");
  EXPECT_EQ(read_json("a.jpg.meta.json").value("width", 0), 548);
  EXPECT_TRUE(poll_until([&] { return list().empty(); }, std::chrono::seconds(60)))
      << ::testing::PrintToString(list());
  for (const char* n : {"a.jpg.meta.json", "a.jpg.colors.json", "a.jpg.json"})
    EXPECT_EQ(errno_of("os.stat(p)", n), "ENOENT") << n;
  auto st = stats();
  EXPECT_EQ(st["images"].get<int>(), 0) << st.dump(2);
}

}  // namespace
}  // namespace visionfs::itest
