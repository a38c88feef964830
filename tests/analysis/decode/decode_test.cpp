#include "analysis/decode/decode.h"

#include "analysis/core/analyzer.h"
#include "gif_builder.h"
#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

std::shared_ptr<const DecodedImage> decode(const ByteVector& bytes, std::uint64_t max_pixels = 100'000'000) {
  return decode_image(bytes, DecodeLimits{max_pixels});
}

// The AnalysisError decode_image throws, or a test failure when it does not.
AnalysisError decode_error(const ByteVector& bytes, std::uint64_t max_pixels = 100'000'000) {
  try {
    decode(bytes, max_pixels);
  } catch (const AnalysisError& e) {
    return e;
  }
  ADD_FAILURE() << "decode_image did not throw";
  return AnalysisError(ErrorCode::kInternal, "did not throw");
}

double max_abs_difference(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a, b, cv::NORM_INF);
}

ByteVector messi() { return testing::read_bytes(testing::opencv_doc_image("messi5.jpg")); }

TEST(Decode, RealJpegPhoto) {
  const auto image = decode(messi());
  EXPECT_EQ(image->format, "jpeg");
  EXPECT_EQ(image->width, 548);
  EXPECT_EQ(image->height, 342);
  EXPECT_EQ(image->stored_width, 548);
  EXPECT_EQ(image->stored_height, 342);
  EXPECT_EQ(image->channels, 3);
  EXPECT_EQ(image->bit_depth, 8);
  EXPECT_EQ(image->frame_count, 1);
  EXPECT_EQ(image->exif_orientation, 1);
  EXPECT_EQ(image->pixels.type(), CV_8UC3);
  EXPECT_EQ(image->pixels.cols, image->width);
  // Same pixels as OpenCV's own file decoder.
  const cv::Mat reference = cv::imread(testing::opencv_doc_image("messi5.jpg").string());
  EXPECT_EQ(max_abs_difference(image->pixels, reference), 0);
}

TEST(Decode, OtherRealPhotosDecode) {
  for (const char* name : {"squirrel_cls.jpg", "imageTextN.png", "baboon.jpg", "sudoku.png"}) {
    const auto image = decode(testing::read_bytes(testing::opencv_doc_image(name)));
    EXPECT_GT(image->width, 0) << name;
    EXPECT_EQ(image->pixels.type(), CV_8UC3) << name;
  }
}

TEST(Decode, AppliesExifOrientationSix) {
  testing::ExifFields exif;
  exif.orientation = 6;
  const auto plain = decode(messi());
  const auto rotated = decode(testing::with_jpeg_exif(messi(), testing::tiff_exif_block(exif)));
  EXPECT_EQ(rotated->exif_orientation, 6);
  EXPECT_EQ(rotated->stored_width, 548);
  EXPECT_EQ(rotated->stored_height, 342);
  EXPECT_EQ(rotated->width, 342);
  EXPECT_EQ(rotated->height, 548);
  cv::Mat expected;
  cv::rotate(plain->pixels, expected, cv::ROTATE_90_CLOCKWISE);
  EXPECT_EQ(max_abs_difference(rotated->pixels, expected), 0);
}

TEST(Decode, AppliesEveryExifOrientation) {
  // A 2x3 image with distinct corners; each orientation must put the stored
  // top-left pixel where the EXIF table says the viewer sees it.
  cv::Mat stored(2, 3, CV_8UC3, cv::Scalar(0, 0, 0));
  stored.at<cv::Vec3b>(0, 0) = {255, 255, 255};
  const ByteVector png = testing::encode(stored, ".png");
  struct Case {
    int orientation, width, height, x, y;  // where stored (0,0) ends up
  };
  for (const Case c : {Case{1, 3, 2, 0, 0}, Case{2, 3, 2, 2, 0}, Case{3, 3, 2, 2, 1},
                       Case{4, 3, 2, 0, 1}, Case{5, 2, 3, 0, 0}, Case{6, 2, 3, 1, 0},
                       Case{7, 2, 3, 1, 2}, Case{8, 2, 3, 0, 2}}) {
    testing::ExifFields exif;
    exif.orientation = c.orientation;
    const auto image = decode(testing::with_png_chunk(png, "eXIf", testing::tiff_exif_block(exif)));
    ASSERT_EQ(image->width, c.width) << c.orientation;
    ASSERT_EQ(image->height, c.height) << c.orientation;
    EXPECT_EQ(image->pixels.at<cv::Vec3b>(c.y, c.x), cv::Vec3b(255, 255, 255)) << c.orientation;
    EXPECT_EQ(image->exif_orientation, c.orientation);
  }
}

TEST(Decode, TruncatedJpegIsInvalidArgument) {
  const ByteVector jpeg = messi();
  for (double fraction : {0.001, 0.01, 0.3, 0.6, 0.999}) {
    const AnalysisError e = decode_error(testing::truncated(jpeg, fraction));
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << fraction;
    EXPECT_NE(std::string(e.what()).find("jpeg"), std::string::npos) << e.what();
  }
}

TEST(Decode, CorruptPngIsInvalidArgument) {
  const ByteVector png = testing::encode(decode(messi())->pixels, ".png");
  const AnalysisError e = decode_error(testing::corrupt_png(png));
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(e.what()).find("png"), std::string::npos) << e.what();
}

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long current_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(Decode, DecompressionBombIsRefusedFromTheHeader) {
  // Reset the peak-RSS mark (Linux >= 4.0), so the check below sees only
  // this decode and not earlier tests.
  std::ofstream("/proc/self/clear_refs") << "5";
  const long before = current_rss_kib();
  const AnalysisError e = decode_error(testing::png_header_only(100000, 100000));
  EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  const std::string message = e.what();
  EXPECT_NE(message.find("100000x100000"), std::string::npos) << message;
  EXPECT_NE(message.find("100000000"), std::string::npos) << message;
  // 10^10 pixels would be 30 GB; refusing from the header allocates nothing big.
  EXPECT_LT(peak_rss_kib() - before, 64 * 1024);
}

TEST(Decode, PixelLimitAppliesToEveryFormatBeforeDecoding) {
  const cv::Mat image(300, 400, CV_8UC3, cv::Scalar(1, 2, 3));
  for (const char* ext : {".jpg", ".png", ".bmp", ".webp", ".tiff"}) {
    const ByteVector bytes = testing::encode(image, ext);
    const AnalysisError e = decode_error(bytes, 400 * 300 - 1);
    EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted) << ext;
    EXPECT_NE(std::string(e.what()).find("400x300"), std::string::npos) << e.what();
    EXPECT_EQ(decode(bytes, 400 * 300)->width, 400) << ext;
  }
  const ByteVector gif = testing::make_gif(400, 300, {{0, 0, 0}, {255, 255, 255}},
                                           {{cv::Mat(300, 400, CV_8U, cv::Scalar(1))}});
  EXPECT_EQ(decode_error(gif, 1000).code(), ErrorCode::kResourceExhausted);
}

TEST(Decode, GifWithoutFramesIsInvalidArgument) {
  const AnalysisError e = decode_error(testing::gif_without_frames());
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(e.what()).find("no frames"), std::string::npos) << e.what();
}

const std::vector<cv::Vec3b> kPalette = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};

TEST(Decode, MultiFrameGifGivesFirstFrameAndCount) {
  cv::Mat first(10, 20, CV_8U, cv::Scalar(1));    // red
  first(cv::Rect(10, 0, 10, 10)).setTo(2);         // right half green
  const cv::Mat second(10, 20, CV_8U, cv::Scalar(3));
  const cv::Mat third(10, 20, CV_8U, cv::Scalar(0));
  const auto image = decode(testing::make_gif(20, 10, kPalette, {{first}, {second}, {third}}));
  EXPECT_EQ(image->format, "gif");
  EXPECT_EQ(image->frame_count, 3);
  EXPECT_EQ(image->width, 20);
  EXPECT_EQ(image->height, 10);
  EXPECT_EQ(image->channels, 3);
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(5, 2), cv::Vec3b(0, 0, 255));   // BGR red
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(5, 15), cv::Vec3b(0, 255, 0));  // green
}

TEST(Decode, GifTransparencyAndOffsetFrameShowWhite) {
  cv::Mat frame(4, 6, CV_8U, cv::Scalar(3));  // blue
  frame.at<std::uint8_t>(1, 1) = 0;           // transparent index
  testing::GifFrame f{frame, 2, 3, 0, false};
  const auto image = decode(testing::make_gif(10, 8, kPalette, {f}));
  EXPECT_EQ(image->channels, 4);  // the frame has a transparent colour
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));  // outside the frame
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(3 + 1, 2 + 1), cv::Vec3b(255, 255, 255));  // transparent
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(3, 2), cv::Vec3b(255, 0, 0));  // BGR blue
}

TEST(Decode, InterlacedGifRowsLandInPlace) {
  cv::Mat frame(11, 4, CV_8U);
  for (int r = 0; r < frame.rows; ++r) frame.row(r).setTo(r % 4);
  const auto image = decode(testing::make_gif(4, 11, kPalette, {{frame, 0, 0, NO_TRANSPARENT_COLOR, true}}));
  for (int r = 0; r < frame.rows; ++r) {
    const cv::Vec3b rgb = kPalette[static_cast<std::size_t>(r % 4)];
    EXPECT_EQ(image->pixels.at<cv::Vec3b>(r, 0), cv::Vec3b(rgb[2], rgb[1], rgb[0])) << r;
  }
}

TEST(Decode, TruncatedGifIsInvalidArgument) {
  cv::Mat frame(64, 64, CV_8U);
  cv::randu(frame, 0, 4);
  const ByteVector gif = testing::make_gif(64, 64, kPalette, {{frame}});
  EXPECT_EQ(decode_error(testing::truncated(gif, 0.5)).code(), ErrorCode::kInvalidArgument);
}

TEST(Decode, RecognisedButUnsupportedFormatsAreUnimplemented) {
  const std::string exr("\x76\x2F\x31\x01\x02\0\0\0", 8);
  AnalysisError e = decode_error(ByteVector(exr.begin(), exr.end()));
  EXPECT_EQ(e.code(), ErrorCode::kUnimplemented);
  EXPECT_EQ(std::string(e.what()),
            "unsupported image format: exr (OpenCV reads it only through a temporary file)");
  const std::string pnm = "P6\n2 2\n255\n............";
  e = decode_error(ByteVector(pnm.begin(), pnm.end()));
  EXPECT_EQ(e.code(), ErrorCode::kUnimplemented);
  EXPECT_EQ(std::string(e.what()),
            "unsupported image format: pnm (left off the decoder allow-list: rarely a photo)");
}

TEST(Decode, RealExrAndPnmHeadersAreRefused) {
  // The start of a real scan-line OpenEXR file (magic, version 2, the first
  // header attribute). OpenCV's EXR decoder (and its encoder) go through a
  // temporary file, so the test writes these bytes by hand.
  static constexpr char kExr[] = "\x76\x2F\x31\x01\x02\0\0\0channels\0chlist\0\x37\0\0\0B\0\x01\0\0\0";
  EXPECT_EQ(decode_error(ByteVector(kExr, kExr + sizeof kExr - 1)).code(), ErrorCode::kUnimplemented);
  const ByteVector ppm = testing::encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".ppm");
  EXPECT_EQ(decode_error(ppm).code(), ErrorCode::kUnimplemented);
  const ByteVector pgm = testing::encode(cv::Mat(8, 8, CV_8UC1, cv::Scalar(9)), ".pgm");
  EXPECT_EQ(decode_error(pgm).code(), ErrorCode::kUnimplemented);
}

TEST(Decode, NonImageIsInvalidArgument) {
  const std::string text = "hello, world\n";
  EXPECT_EQ(decode_error(ByteVector(text.begin(), text.end())).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decode_error(ByteVector{}).code(), ErrorCode::kInvalidArgument);
}

TEST(Decode, SixteenBitPng) {
  cv::Mat image(10, 12, CV_16UC3, cv::Scalar(0, 32768, 65535));
  const auto decoded = decode(testing::encode(image, ".png"));
  EXPECT_EQ(decoded->bit_depth, 16);
  EXPECT_EQ(decoded->channels, 3);
  EXPECT_EQ(decoded->pixels.type(), CV_8UC3);
  const cv::Vec3b p = decoded->pixels.at<cv::Vec3b>(5, 5);
  EXPECT_EQ(p[0], 0);
  EXPECT_NEAR(p[1], 128, 1);
  EXPECT_EQ(p[2], 255);
}

TEST(Decode, GrayPng) {
  cv::Mat gray(10, 12, CV_8UC1);
  for (int x = 0; x < gray.cols; ++x) gray.col(x).setTo(x * 20);
  const auto decoded = decode(testing::encode(gray, ".png"));
  EXPECT_EQ(decoded->channels, 1);
  EXPECT_EQ(decoded->bit_depth, 8);
  ASSERT_EQ(decoded->pixels.type(), CV_8UC3);
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(3, 7), cv::Vec3b(140, 140, 140));
}

TEST(Decode, RgbaPngIsCompositedOnWhite) {
  cv::Mat bgra(10, 12, CV_8UC4, cv::Scalar(255, 0, 0, 255));  // opaque blue
  bgra.at<cv::Vec4b>(0, 0) = {0, 0, 0, 0};                      // fully transparent black
  bgra.at<cv::Vec4b>(0, 1) = {0, 0, 0, 128};                    // half-transparent black
  const auto decoded = decode(testing::encode(bgra, ".png"));
  EXPECT_EQ(decoded->channels, 4);
  ASSERT_EQ(decoded->pixels.type(), CV_8UC3);
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(5, 5), cv::Vec3b(255, 0, 0));
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 1), cv::Vec3b(127, 127, 127));
}

TEST(Decode, PalettePngWithTransparentEntry) {
  // Palette: 0 fully transparent, 1 opaque red, 2 half-transparent black.
  const ByteVector png = testing::png_from_rows(
      3, 2, 8, 3, {{0, 1, 2}, {1, 1, 1}},
      {{"PLTE", {0, 0, 0, 255, 0, 0, 0, 0, 0}}, {"tRNS", {0, 255, 128}}});
  const auto decoded = decode(png);
  EXPECT_EQ(decoded->channels, 4);
  EXPECT_EQ(decoded->bit_depth, 8);
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 1), cv::Vec3b(0, 0, 255));
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 2), cv::Vec3b(127, 127, 127));
}

TEST(Decode, GrayAlphaPng) {
  // Grey + alpha, 8 bits: (200, opaque), (0, transparent).
  const ByteVector png = testing::png_from_rows(2, 1, 8, 4, {{200, 255, 0, 0}});
  const auto decoded = decode(png);
  EXPECT_EQ(decoded->channels, 2);
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(200, 200, 200));
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 255, 255));
}

TEST(Decode, OtherFormatsRoundTrip) {
  const cv::Mat image = decode(messi())->pixels;
  struct Case {
    const char* extension;
    const char* format;
    double tolerance;  // lossy codecs
  };
  for (const Case c : {Case{".bmp", "bmp", 0}, Case{".tiff", "tiff", 0}, Case{".webp", "webp", 0},
                       Case{".png", "png", 0}}) {
    const std::vector<int> params =
        std::string(c.extension) == ".webp" ? std::vector<int>{cv::IMWRITE_WEBP_QUALITY, 101} : std::vector<int>{};
    const auto decoded = decode(testing::encode(image, c.extension, params));
    EXPECT_EQ(decoded->format, c.format);
    EXPECT_EQ(decoded->width, image.cols) << c.format;
    EXPECT_EQ(decoded->height, image.rows) << c.format;
    EXPECT_EQ(decoded->channels, 3) << c.format;
    EXPECT_LE(max_abs_difference(decoded->pixels, image), c.tolerance) << c.format;
  }
  const auto lossy = decode(testing::encode(image, ".webp", {cv::IMWRITE_WEBP_QUALITY, 90}));
  EXPECT_EQ(lossy->width, image.cols);
  EXPECT_LT(cv::norm(lossy->pixels, image, cv::NORM_L1) / image.total() / 3, 6.0);
}

TEST(Decode, AlphaInWebpAndTiff) {
  cv::Mat bgra(8, 8, CV_8UC4, cv::Scalar(0, 0, 255, 255));
  bgra.at<cv::Vec4b>(2, 2) = {0, 0, 0, 0};
  for (const char* ext : {".webp", ".tiff"}) {
    const std::vector<int> params =
        std::string(ext) == ".webp" ? std::vector<int>{cv::IMWRITE_WEBP_QUALITY, 101} : std::vector<int>{};
    const auto decoded = decode(testing::encode(bgra, ext, params));
    EXPECT_EQ(decoded->channels, 4) << ext;
    EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(2, 2), cv::Vec3b(255, 255, 255)) << ext;
    EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 255)) << ext;
  }
}

TEST(Decode, SixteenBitTiff) {
  const cv::Mat image(6, 6, CV_16UC3, cv::Scalar(65535, 0, 32768));
  const auto decoded = decode(testing::encode(image, ".tiff"));
  EXPECT_EQ(decoded->bit_depth, 16);
  EXPECT_EQ(decoded->pixels.at<cv::Vec3b>(1, 1)[0], 255);
}

// Every prefix and many single-byte corruptions of every format either decode
// or fail with an AnalysisError: never a crash, never another exception.
TEST(Decode, DamagedFilesNeverEscapeAsOtherErrors) {
  const cv::Mat image = decode(messi())->pixels(cv::Rect(100, 50, 96, 64)).clone();
  std::vector<ByteVector> files;
  for (const char* ext : {".jpg", ".png", ".bmp", ".webp", ".tiff"}) files.push_back(testing::encode(image, ext));
  cv::Mat indices(32, 32, CV_8U);
  cv::randu(indices, 0, 4);
  files.push_back(testing::make_gif(32, 32, kPalette, {{indices}, {indices}}));
  for (const ByteVector& file : files) {
    std::vector<ByteVector> damaged;
    for (std::size_t cut = 1; cut < file.size(); cut += std::max<std::size_t>(1, file.size() / 97)) {
      damaged.push_back(ByteVector(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut)));
    }
    cv::RNG rng(7);
    for (int i = 0; i < 60; ++i) {
      ByteVector copy = file;
      copy[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(copy.size())))] ^=
          static_cast<std::uint8_t>(1 + rng.uniform(0, 255));
      damaged.push_back(copy);
    }
    for (const ByteVector& bytes : damaged) {
      try {
        const auto decoded = decode(bytes, 1'000'000);  // a damaged size must not allocate much
        EXPECT_EQ(decoded->pixels.type(), CV_8UC3);
      } catch (const AnalysisError& e) {
        EXPECT_TRUE(e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kResourceExhausted ||
                    e.code() == ErrorCode::kUnimplemented)
            << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace visionfs::analysis
