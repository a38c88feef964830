// decoded_bytes(): the decoder's memory from the header, checked against
// what decode_image() really allocates in pixel buffers (every cv::Mat
// buffer, counted by an allocator installed for the test). The estimate is
// what the budget charges before decoding, so it must never be below the
// real peak, and should not be far above it either.

#include "analysis/decode/decode.h"

#include "gif_builder.h"
#include "image_builders.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <mutex>
#include <string>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

// OpenCV's own allocator, keeping the peak of the bytes alive at once.
class PeakAllocator final : public cv::MatAllocator {
 public:
  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override {
    cv::UMatData* u = std_->allocate(dims, sizes, type, data, step, flags, usage);
    if (u && !data) {
      u->currAllocator = this;
      std::lock_guard lock(mu_);
      alive_ += u->size;
      peak_ = std::max(peak_, alive_);
    }
    return u;
  }
  bool allocate(cv::UMatData* data, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
    return std_->allocate(data, flags, usage);
  }
  void deallocate(cv::UMatData* u) const override {
    if (u && u->origdata) {
      std::lock_guard lock(mu_);
      alive_ -= u->size;
    }
    std_->deallocate(u);
  }
  std::size_t peak() const { return peak_; }

 private:
  cv::MatAllocator* std_ = cv::Mat::getStdAllocator();
  mutable std::mutex mu_;
  mutable std::size_t alive_ = 0, peak_ = 0;
};

// The peak of pixel buffers while decoding `bytes`.
std::size_t measured_peak(const ByteVector& bytes) {
  PeakAllocator counting;
  cv::MatAllocator* before = cv::Mat::getDefaultAllocator();
  cv::Mat::setDefaultAllocator(&counting);
  {
    auto image = decode_image(bytes, DecodeLimits{});
  }
  cv::Mat::setDefaultAllocator(before);
  return counting.peak();
}

cv::Mat photo() {
  cv::Mat image(400, 600, CV_8UC3);
  cv::randu(image, 0, 255);
  cv::GaussianBlur(image, image, {0, 0}, 2.0);
  return image;
}

// A two-frame GIF with a four-colour palette.
ByteVector gif() {
  std::vector<testing::GifFrame> frames(2);
  for (auto& frame : frames) {
    frame.indices = cv::Mat(400, 600, CV_8U);
    cv::randu(frame.indices, 0, 4);
  }
  return testing::make_gif(600, 400, {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}}, frames);
}

struct Case {
  std::string name;
  ByteVector bytes;
};

std::vector<Case> cases() {
  const cv::Mat bgr = photo();
  cv::Mat gray, bgra, deep;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  bgr.convertTo(deep, CV_16UC3, 257);
  testing::ExifFields turned;
  turned.orientation = 6;
  return {
      {"jpeg", testing::encode(bgr, ".jpg")},
      {"jpeg-progressive", testing::encode(bgr, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1})},
      {"jpeg-gray", testing::encode(gray, ".jpg")},
      {"jpeg-orientation-6", testing::with_jpeg_exif(testing::encode(bgr, ".jpg"), testing::tiff_exif_block(turned))},
      {"png", testing::encode(bgr, ".png")},
      {"png-alpha", testing::encode(bgra, ".png")},
      {"png-16-bit", testing::encode(deep, ".png")},
      {"bmp", testing::encode(bgr, ".bmp")},
      {"tiff", testing::encode(bgr, ".tiff")},
      {"webp", testing::encode(bgr, ".webp")},
      {"gif", gif()},
  };
}

TEST(DecodeCost, TheEstimateIsNeverBelowWhatTheDecoderAllocates) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const DecodeCost cost = decoded_bytes(c.bytes);
    const std::size_t peak = measured_peak(c.bytes);
    ASSERT_GT(peak, 0u);
    EXPECT_EQ(cost.pixels, 600u * 400u * 3u);
    EXPECT_GE(cost.decode_peak, peak);
    // Not a blanket over-estimate either: within the largest layout's
    // overhead (16-bit samples, then their 8-bit copy, then BGR) plus the
    // codec's own 1 MiB. A progressive JPEG's coefficients live in
    // libjpeg's memory, which this allocator does not see.
    if (c.name != "jpeg-progressive") EXPECT_LE(cost.decode_peak, 4 * peak + (1u << 20));
  }
}

TEST(DecodeCost, AnUnreadableHeaderCostsNothing) {
  const ByteVector garbage = {0xFF, 0xD8, 0xFF, 0x00};
  EXPECT_EQ(decoded_bytes(garbage).decode_peak, 0u);
  EXPECT_EQ(decoded_bytes(ByteVector{}).pixels, 0u);
}

}  // namespace
}  // namespace visionfs::analysis
