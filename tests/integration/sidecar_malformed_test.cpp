// Malformed and unsupported images: every sidecar is error JSON with the
// right google.rpc code (3 corrupt, 8 over max_pixels, 12 unsupported), files
// without an image signature get no sidecars, the daemon keeps serving, and
// a decompression bomb costs no memory (its size is checked from the header).

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

struct Case {
  Malformed kind;
  std::string name;
  int code;  // 0: not an image, no sidecars
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {Malformed::kTruncatedJpeg, "truncated.jpg", 3}, {Malformed::kHeaderOnlyJpeg, "header_only.jpg", 3},
      {Malformed::kPngBomb, "bomb.png", 8},            {Malformed::kGifNoFrames, "no_frames.gif", 3},
      {Malformed::kExrSignature, "signature.exr", 12}, {Malformed::kPnmGarbage, "garbage.ppm", 12},
      {Malformed::kHdrSignature, "signature.hdr", 12}, {Malformed::kJp2Signature, "signature.jp2", 12},
      {Malformed::kRandomJpg, "random.jpg", 0},        {Malformed::kTextPng, "text.png", 0},
      {Malformed::kEmpty, "empty.jpg", 0},
  };
  return all;
}

// Real files of unsupported formats, when Python's test images are installed.
std::vector<std::string> real_unsupported_samples() {
  std::vector<std::string> out;
  for (const char* name : {"python.exr", "python.ppm"}) {
    if (auto path = imghdr_sample(name); !path.empty()) out.push_back(path);
  }
  return out;
}

class SidecarMalformedTest : public SidecarFixture {
 protected:
  void check_error_sidecars(const std::string& image, int code, const std::vector<std::string>& analyzers) {
    SCOPED_TRACE(image);
    for (const auto& a : analyzers) {
      const std::string rel = image + "." + a + ".json";
      const std::string text = cat(rel);
      auto doc = parse_or_fail(text, rel);
      ASSERT_TRUE(doc.is_object()) << rel;
      EXPECT_EQ(doc.value("analyzer", ""), a) << text;
      EXPECT_TRUE(doc.contains("version")) << text;
      ASSERT_TRUE(doc.contains("error")) << text;
      EXPECT_EQ(doc["error"].value("code", -1), code) << text;
      EXPECT_FALSE(doc["error"].value("message", "").empty()) << text;
      EXPECT_FALSE(doc.contains("width")) << text;
      auto size = run("stat -c %s " + qm(rel));
      EXPECT_EQ(size.out, std::to_string(text.size()) + "\n") << rel;
    }
    auto combined = read_json(image + ".json");
    ASSERT_TRUE(combined.is_object()) << image;
    ASSERT_TRUE(combined.contains("error")) << combined.dump(2);
    EXPECT_EQ(combined["error"].value("code", -1), code) << combined.dump(2);
    // Google's response: the error is the whole of it (code and message,
    // as google.rpc.Status has them).
    EXPECT_EQ(combined.size(), 1u) << combined.dump(2);
    EXPECT_EQ(combined["error"].size(), 2u) << combined.dump(2);
  }
};

TEST_F(SidecarMalformedTest, ErrorJsonForBadImagesNothingForNonImagesAndTheDaemonKeepsServing) {
  const auto analyzers = available_analyzers();
  ASSERT_FALSE(analyzers.empty());
  std::vector<std::string> expected;
  for (const auto& c : cases()) {
    write_malformed(c.kind, s(c.name));
    put(s(c.name), c.name);
    expected.push_back(c.name);
    if (c.code != 0) {
      for (const auto& n : sidecar_names(c.name, analyzers)) expected.push_back(n);
    }
  }
  std::vector<std::pair<std::string, int>> real;
  for (const auto& path : real_unsupported_samples()) {
    const std::string name = "real_" + path.substr(path.rfind('/') + 1);
    put(path, name);
    real.emplace_back(name, 12);
    expected.push_back(name);
    for (const auto& n : sidecar_names(name, analyzers)) expected.push_back(n);
  }
  if (real.empty()) std::cout << "[ NOTE     ] no real EXR/PPM sample found (Python's test/imghdrdata)\n";
  EXPECT_EQ(list(), sorted(expected));

  const pid_t pid = daemon_pid();
  ASSERT_GT(pid, 0);
  const long rss_before = rss_kib(pid);

  for (const auto& c : cases()) {
    if (c.code != 0) {
      check_error_sidecars(c.name, c.code, analyzers);
    } else {
      EXPECT_EQ(errno_of("os.stat(p)", c.name + ".json"), "ENOENT") << c.name;
      EXPECT_EQ(errno_of("os.stat(p)", c.name + ".meta.json"), "ENOENT") << c.name;
    }
  }
  for (const auto& [name, code] : real) check_error_sidecars(name, code, analyzers);

  // 100000 x 100000 x 3 bytes would be 30 GB: the bomb was refused from its
  // header, before any pixel buffer.
  const long rss_after = rss_kib(pid);
  ASSERT_GT(rss_after, 0);
  EXPECT_LT(rss_after, 1024L * 1024) << "daemon RSS " << rss_after << " KiB";
  EXPECT_LT(rss_after - rss_before, 256L * 1024) << "RSS grew from " << rss_before << " to " << rss_after << " KiB";
  auto bomb = read_json("bomb.png.meta.json");
  EXPECT_NE(bomb["error"].value("message", "").find("100000"), std::string::npos) << bomb.dump();

  // Still serving: a good image, the control files, plain files.
  put("messi5.jpg", "good.jpg");
  auto meta = read_json("good.jpg.meta.json");
  EXPECT_EQ(meta.value("width", 0), 548) << meta.dump();
  auto colors = read_json("good.jpg.colors.json");
  EXPECT_FALSE(colors.contains("error")) << colors.dump();
  EXPECT_TRUE(same_bytes(s("random.jpg"), m("random.jpg")));
  auto st = stats();
  EXPECT_GT(st["decodes"]["errors"].get<int>(), 0) << st.dump(2);
  EXPECT_EQ(st["images"].get<int>(), static_cast<int>(cases().size() - 3 + real.size() + 1)) << st.dump(2);
}

// -o max_pixels applies to ordinary photos too.
class SidecarMaxPixelsTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
  std::vector<std::string> extra_options() const override { return {"max_pixels=100000"}; }
};

TEST_F(SidecarMaxPixelsTest, ImagesOverTheLimitGetCode8) {
  put("messi5.jpg", "big.jpg");        // 548 x 342 = 187416 pixels
  put("HappyFish.jpg", "small.jpg");   // 259 x 194 = 50246 pixels
  auto big = read_json("big.jpg.colors.json");
  ASSERT_TRUE(big.contains("error")) << big.dump();
  EXPECT_EQ(big["error"].value("code", -1), 8) << big.dump();
  EXPECT_NE(big["error"].value("message", "").find("max_pixels"), std::string::npos) << big.dump();
  auto small = read_json("small.jpg.colors.json");
  EXPECT_FALSE(small.contains("error")) << small.dump();
  EXPECT_EQ(config().value("maxPixels", 0), 100000);
}

}  // namespace
}  // namespace visionfs::itest
