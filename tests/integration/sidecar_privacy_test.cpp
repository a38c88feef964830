// Privacy with analyzers running: strace -f over the daemon while every
// sidecar of several images is read, malformed and unsupported ones included
// (the formats OpenCV would decode through a temporary file are the point).
// No file may be opened for writing except /dev/fuse (and /dev/null), none
// created, renamed, truncated, linked or removed, except removals the daemon
// makes through its own mount when files expire.

#include <filesystem>
#include <sstream>

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

class SidecarPrivacyTest : public SidecarFixture {
 protected:
  std::vector<std::string> extra_options() const override { return {"precompute=all"}; }
  std::vector<std::string> wrapper() const override {
    // -y: unlinkat's directory descriptor shows its path (the evictor
    // unlinks relative to the mountpoint it opened).
    return {"strace", "-f", "-qq", "-y", "-e", kFileSyscalls, "-o", temp_dir() + "/trace.txt"};
  }
};

TEST_F(SidecarPrivacyTest, AnalyzersWriteNoFile) {
  ASSERT_TRUE(succeeded(run("which strace")));
  ASSERT_TRUE(succeeded(run("mkdir " + qm("photos") + " " + qm("bad"))));
  for (const char* img : {"messi5.jpg", "squirrel_cls.jpg", "imageTextN.png", "smarties.png"})
    put(img, std::string("photos/") + img);
  ASSERT_TRUE(succeeded(run("qrencode -o " + qs("qr.png") + " 'visionfs privacy'")));
  put(s("qr.png"), "photos/qr.png");
  for (const char* type : {"GIF", "BMP", "TIF"}) {
    const std::string name = std::string("code.") + type;
    ASSERT_TRUE(succeeded(run("zint --filetype=" + std::string(type) + " -b 20 -d 'PRIVACY' -o " + qs(name))));
    put(s(name), "photos/" + name);
  }
  if (auto webp = imghdr_sample("python.webp"); !webp.empty()) put(webp, "photos/python.webp");
  if (auto exr = imghdr_sample("python.exr"); !exr.empty()) put(exr, "bad/python.exr");
  const std::pair<Malformed, const char*> bad[] = {
      {Malformed::kTruncatedJpeg, "truncated.jpg"}, {Malformed::kPngBomb, "bomb.png"},
      {Malformed::kGifNoFrames, "no_frames.gif"},   {Malformed::kExrSignature, "signature.exr"},
      {Malformed::kPnmGarbage, "garbage.ppm"},      {Malformed::kHdrSignature, "signature.hdr"},
      {Malformed::kJp2Signature, "signature.jp2"},  {Malformed::kRandomJpg, "random.jpg"}};
  for (const auto& [kind, name] : bad) {
    write_malformed(kind, s(name));
    put(s(name), std::string("bad/") + name);
  }

  // Every sidecar, per analyzer and combined.
  auto r = run("cd " + qm("") + " && n=0; for f in photos/*.json bad/*.json; do cat \"$f\" > /dev/null || exit 1; "
               "n=$((n+1)); done; echo $n",
               600);
  ASSERT_TRUE(succeeded(r));
  EXPECT_GT(std::stoi(r.out), 50);
  // Overwrite and remove an image: its results are dropped and recomputed.
  put("LinuxLogo.jpg", "photos/messi5.jpg");
  ASSERT_TRUE(succeeded(run("cat " + qm("photos/messi5.jpg.json") + " > /dev/null && rm " + qm("photos/smarties.png"))));

  unmount_and_check();
  const std::string trace = read_local_file(temp_dir() + "/trace.txt");
  ASSERT_FALSE(trace.empty()) << "strace wrote nothing";
  auto findings = analyze_trace(trace, mnt());
  EXPECT_GT(findings.calls, 0);
  EXPECT_TRUE(findings.writable_opens.count("/dev/fuse")) << "the trace does not show /dev/fuse: wrong trace?";
  // The models were read: the trace covers the analyzers, not just the FUSE loop.
  if (!models_dir().empty()) {
    bool model_read = false;
    for (const auto& p : findings.read_opens) model_read |= p.ends_with(".onnx");
    EXPECT_TRUE(model_read) << "no model file was opened: did the analyzers run?";
  }
  std::ostringstream report;
  for (const auto& v : findings.violations) report << "  " << v << "\n";
  EXPECT_TRUE(findings.violations.empty()) << findings.violations.size() << " file-writing call(s):\n"
                                           << report.str();
  // A decoder's temporary file would also be read back: nothing under /tmp
  // but this test's own mountpoint and the models (a checkout, and so the
  // models beside it, may itself live under /tmp).
  std::vector<std::string> allowed = {temp_dir() + "/"};
  if (!models_dir().empty()) {
    allowed.push_back(models_dir() + "/");
    std::error_code ec;
    auto canonical = std::filesystem::canonical(models_dir(), ec);
    if (!ec) allowed.push_back(canonical.string() + "/");
  }
  for (const auto& p : findings.read_opens) {
    bool ok = false;
    for (const auto& prefix : allowed) ok |= p.rfind(prefix, 0) == 0;
    if (ok) continue;
    EXPECT_NE(p.rfind("/tmp/", 0), 0u) << "the daemon opened a file under /tmp: " << p;
  }
}

}  // namespace
}  // namespace visionfs::itest
