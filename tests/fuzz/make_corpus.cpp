// visionfs-make-corpus DIR: writes the fuzzers' seed corpus, made with the
// project's own writers (OpenCV's encoders, giflib, the byte-level builders
// in tests/analysis), into DIR/images (for the header, decode and envelope
// targets) and DIR/exif (for the EXIF target). scripts/fuzz.sh adds the
// photos Debian ships and, when exiftool is installed, their EXIF variants.

#include "analysis/decode/image_format.h"
#include "analysis/decode/image_header.h"
#include "gif_builder.h"
#include "hostile_images.h"
#include "image_builders.h"

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using visionfs::testing::ByteVector;

void write(const std::filesystem::path& path, const ByteVector& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

cv::Mat scene(int width, int height, int type) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(30, 90, 160));
  cv::circle(image, {width / 3, height / 2}, height / 3, cv::Scalar(240, 220, 20), -1);
  cv::putText(image, "vfs", {width / 2, height / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 2);
  cv::Mat out;
  if (type == CV_8UC1) cv::cvtColor(image, out, cv::COLOR_BGR2GRAY);
  else if (type == CV_8UC4) cv::cvtColor(image, out, cv::COLOR_BGR2BGRA);
  else if (type == CV_16UC3) image.convertTo(out, CV_16UC3, 257);
  else out = image;
  return out;
}

void write_images(const std::filesystem::path& dir) {
  namespace t = visionfs::testing;
  int n = 0;
  auto put = [&](const std::string& name, const ByteVector& bytes) {
    write(dir / (std::to_string(n++) + "-" + name), bytes);
  };
  for (int type : {CV_8UC3, CV_8UC1, CV_8UC4}) {
    const cv::Mat image = scene(48, 32, type);
    for (const char* ext : {".jpg", ".png", ".bmp", ".webp", ".tiff"}) {
      if (type == CV_8UC4 && std::string(ext) == ".jpg") continue;
      put(std::string("scene") + ext, t::encode(image, ext));
    }
  }
  put("progressive.jpg", t::encode(scene(48, 32, CV_8UC3), ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  put("sixteen.png", t::encode(scene(24, 16, CV_16UC3), ".png"));
  put("sixteen.tiff", t::encode(scene(24, 16, CV_16UC3), ".tiff"));
  put("lossless.webp", t::encode(scene(24, 16, CV_8UC3), ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}));
  cv::Mat indices(16, 16, CV_8U);
  cv::randu(indices, 0, 4);
  const std::vector<cv::Vec3b> palette = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
  put("two-frames.gif", t::make_gif(16, 16, palette, {{indices}, {indices, 2, 2, 1, true}}));
  t::ExifFields fields{"Maker", "Model", "Soft", "2024:01:02 03:04:05", "+01:00", 6, true};
  put("exif.jpg", t::with_jpeg_exif(t::encode(scene(48, 32, CV_8UC3), ".jpg"), t::tiff_exif_block(fields)));
  for (const auto& [name, bytes] : t::hostile_images()) {
    // The 2000x2000 scan bomb is large; a small one seeds the same paths.
    put(name, name.starts_with("jpeg") ? t::jpeg_with_empty_scans(200) : bytes);
  }
  for (const auto& [name, bytes] : t::once_refused_images()) put(name, bytes);
}

void write_exif_blocks(const std::filesystem::path& images, const std::filesystem::path& dir) {
  namespace t = visionfs::testing;
  write(dir / "full", t::tiff_exif_block({"Maker", "Model", "Soft", "2024:01:02 03:04:05", "+01:00", 8, true}));
  write(dir / "orientation-only", t::tiff_exif_block({"", "", "", "", "", 3, false}));
  write(dir / "gps-only", t::tiff_exif_block({"", "", "", "", "", 0, true}));
  // The EXIF block of every seed image that has one (fuzz.sh adds photos).
  for (const auto& entry : std::filesystem::directory_iterator(images)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const ByteVector bytes((std::istreambuf_iterator<char>(in)), {});
    const auto format = visionfs::analysis::sniff_image_format(bytes);
    if (!format) continue;
    const auto block = visionfs::analysis::find_exif_block(*format, bytes);
    if (!block.empty()) write(dir / entry.path().filename(), ByteVector(block.begin(), block.end()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 3 && std::string(argv[1]) == "--exif-only")) {
    std::fprintf(stderr, "usage: visionfs-make-corpus [--exif-only] DIR\n");
    return 2;
  }
  const std::filesystem::path root = argv[argc - 1];
  std::filesystem::create_directories(root / "images");
  std::filesystem::create_directories(root / "exif");
  if (argc == 2) write_images(root / "images");
  write_exif_blocks(root / "images", root / "exif");
  return 0;
}
