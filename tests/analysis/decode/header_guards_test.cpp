// The header guards against the files fuzzing got through them with, and
// the valid files they once refused (issue 12). Each hostile file must be
// refused from its header with the error a user reads, before a decoder
// allocates for it; each valid one must decode to the right size.

#include "analysis/core/errors.h"
#include "analysis/decode/decode.h"
#include "analysis/decode/decoders.h"
#include "analysis/decode/image_header.h"
#include "hostile_images.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <sys/inotify.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

AnalysisError decode_error(const ByteVector& bytes) {
  try {
    decode_image(bytes, DecodeLimits{});
  } catch (const AnalysisError& e) {
    return e;
  }
  ADD_FAILURE() << "decode_image did not throw";
  return AnalysisError(ErrorCode::kInternal, "did not throw");
}

ImageHeader header_of(const ByteVector& bytes) {
  return read_image_header(*sniff_image_format(bytes), bytes);
}

TEST(HeaderGuards, TiffUsesTheFirstDimensionTagsOfAnyIntegerType) {
  const ByteVector decoy = testing::tiff_dimension_decoy();
  EXPECT_EQ(header_of(decoy).width, 20000);
  EXPECT_EQ(header_of(decoy).height, 20000);
  const AnalysisError e = decode_error(decoy);
  EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(std::string(e.what()).find("20000x20000"), std::string::npos) << e.what();
}

TEST(HeaderGuards, TiffTilesCountAgainstThePixelLimit) {
  const AnalysisError e = decode_error(testing::tiff_huge_tiles());
  EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(std::string(e.what()),
            "tiff tile or strip is 16000x16000 (256000000 pixels), over the limit of 100000000 "
            "pixels (max_pixels)");
}

TEST(HeaderGuards, TiffIfdLoopCountsEachPageOnce) {
  const ByteVector loop = testing::tiff_ifd_loop();
  EXPECT_EQ(header_of(loop).frame_count, 2);
  EXPECT_EQ(decode_image(loop, DecodeLimits{})->frame_count, 2);
}

TEST(HeaderGuards, MalformedWebpIsCorruptAndNeverReachesAnotherDecoder) {
  const AnalysisError e = decode_error(testing::webp_gdal_bait());
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(std::string(e.what()), "corrupt or truncated webp data");
}

// The names of files created in /tmp while `action` runs (inotify: OpenCV
// unlinks its temporary file before returning, so a listing would miss it).
template <typename Action>
std::vector<std::string> files_created_in_tmp(Action action) {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_GE(inotify_add_watch(fd, "/tmp", IN_CREATE), 0);
  action();
  std::vector<std::string> names;
  alignas(inotify_event) char buffer[64 * 1024];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) {
    for (char* p = buffer; p < buffer + n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(p);
      if (event->len > 0) names.emplace_back(event->name);
      p += sizeof(inotify_event) + event->len;
    }
  }
  close(fd);
  return names;
}

// The second wall: even handed straight to cv::imdecode, whose own WebP
// decoder declines these bytes and GDAL claims them (checked with strace:
// unguarded, OpenCV writes them to /tmp/__opencv_temp.*), nothing is
// written, because OpenCV's temporary directory cannot exist.
TEST(HeaderGuards, OpenCvCannotWriteATemporaryFileOnceGuarded) {
  install_decoder_guards();
  const ByteVector bait = testing::webp_gdal_bait();
  cv::Mat decoded;
  const auto created = files_created_in_tmp([&] {
    try {
      decoded = cv::imdecode(bait, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
    }
  });
  EXPECT_TRUE(decoded.empty());
  for (const std::string& name : created) EXPECT_FALSE(name.starts_with("__opencv_temp")) << name;
}

TEST(HeaderGuards, JpegWithThousandsOfScansIsRefusedFromItsHeader) {
  const ByteVector bomb = testing::jpeg_with_empty_scans(6000);
  EXPECT_EQ(header_of(bomb).jpeg_scans, 6000 + header_of(testing::jpeg_with_empty_scans(0)).jpeg_scans);
  const AnalysisError e = decode_error(bomb);
  EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(std::string(e.what()).find("scans, over the limit of 100 scans"), std::string::npos) << e.what();
}

TEST(HeaderGuards, OrdinaryProgressiveJpegDecodes) {
  const ByteVector progressive = testing::jpeg_with_empty_scans(0);
  const int scans = header_of(progressive).jpeg_scans;
  EXPECT_GE(scans, 6);
  EXPECT_LE(scans, 12);
  EXPECT_EQ(decode_image(progressive, DecodeLimits{})->width, 64);
  EXPECT_EQ(header_of(testing::encode(cv::Mat(8, 8, CV_8UC3), ".jpg")).jpeg_scans, 1);
}

TEST(HeaderGuards, PngChunkRunningPastTheEndIsCorrupt) {
  const AnalysisError e = decode_error(testing::png_chunk_past_end());
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(std::string(e.what()), "corrupt or truncated png data: a chunk runs past the end of the file");
}

TEST(HeaderGuards, VeryWidePngIsTooLargeNotCorrupt) {
  const AnalysisError e = decode_error(testing::png_too_wide());
  EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(std::string(e.what()), "png is 1000001x1, over libpng's limit of 1000000 pixels per side");
}

// Orientation 5-8 swaps the sides; the pixels land as they do for a JPEG
// with the same EXIF orientation (decode_test's AppliesEveryExifOrientation).
TEST(HeaderGuards, TiffOrientationIsAppliedOnceForEveryValue) {
  const cv::Mat upright = decode_image(testing::tiff_oriented(1), DecodeLimits{})->pixels;
  for (int orientation = 2; orientation <= 8; ++orientation) {
    const auto image = decode_image(testing::tiff_oriented(orientation), DecodeLimits{});
    EXPECT_EQ(image->exif_orientation, orientation);
    EXPECT_EQ(image->stored_width, 40);
    EXPECT_EQ(image->width, orientation >= 5 ? 20 : 40) << orientation;
    // Orientation 6 (rotate 90 clockwise to display): the stored
    // bottom-left corner ends top-left.
    if (orientation == 6) {
      EXPECT_EQ(image->pixels.at<cv::Vec3b>(0, 0), upright.at<cv::Vec3b>(19, 0));
    }
  }
}

TEST(HeaderGuards, OnceRefusedValidFilesDecode) {
  for (const auto& [name, bytes] : testing::once_refused_images()) {
    SCOPED_TRACE(name);
    std::shared_ptr<const DecodedImage> image;
    ASSERT_NO_THROW(image = decode_image(bytes, DecodeLimits{}));
    EXPECT_EQ(image->stored_width * image->stored_height, name.starts_with("bmp") ? 60 : 800);
  }
}

TEST(HeaderGuards, SixteenBitBitfieldsBmpColours) {
  const auto image = decode_image(testing::bmp_v5_rgb565(), DecodeLimits{});
  ASSERT_EQ(image->width, 10);
  ASSERT_EQ(image->height, 6);
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 0));      // blue only
  EXPECT_EQ(image->pixels.at<cv::Vec3b>(5, 9), cv::Vec3b(255, 255, 255));  // all full
}

TEST(HeaderGuards, EveryHostileFileIsRefusedWithAClearError) {
  for (const auto& [name, bytes] : testing::hostile_images()) {
    SCOPED_TRACE(name);
    try {
      const auto image = decode_image(bytes, DecodeLimits{});
      EXPECT_EQ(name, "tiff-ifd-loop.tif");  // the only one that is valid, with 2 pages
    } catch (const AnalysisError& e) {
      EXPECT_TRUE(e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kResourceExhausted)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace visionfs::analysis
