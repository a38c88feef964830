// hash: perceptual hashes for finding near-duplicates, as lower-case hex.
// See docs/analyzers/hash.md.
//
// cv::img_hash objects keep scratch Mats between calls and are not
// thread-safe, so analyze() creates its own (they are a few bytes each).

#include "analysis/core/factories.h"

#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include <string>

namespace visionfs::analysis {

namespace {

// img_hash resizes its input to a fixed square with bilinear interpolation,
// which on a large photo samples a handful of pixels and makes the hash
// jump with noise or a one-pixel crop. Each hash is given an area-averaged
// square of exactly its working size instead, so its own resize is a no-op.
constexpr int kMarrHildrethSide = 512;
constexpr int kBlockMeanSide = 256;
constexpr int kPHashSide = 32;
constexpr int kAverageSide = 8;

cv::Mat area_square(const cv::Mat& image, int side) {
  if (image.cols == side && image.rows == side) return image;
  cv::Mat out;
  cv::resize(image, out, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  return out;
}

std::string hex(const cv::Mat& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  const auto* bytes = hash.ptr<std::uint8_t>();
  for (std::size_t i = 0; i < hash.total() * hash.elemSize(); ++i) {
    text.push_back(kDigits[bytes[i] >> 4]);
    text.push_back(kDigits[bytes[i] & 0x0F]);
  }
  return text;
}

std::string compute(const cv::Ptr<cv::img_hash::ImgHashBase>& algorithm, const cv::Mat& image) {
  cv::Mat hash;
  algorithm->compute(image, hash);
  return hex(hash);
}

class HashAnalyzer final : public Analyzer {
 public:
  std::string name() const override { return "hash"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 6, 0);
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat m512 = area_square(input.image.pixels, kMarrHildrethSide);
    const cv::Mat m256 = area_square(m512, kBlockMeanSide);
    const cv::Mat m32 = area_square(m256, kPHashSide);
    const cv::Mat m8 = area_square(m32, kAverageSide);
    return {
        {"phash", compute(cv::img_hash::PHash::create(), m32)},
        {"ahash", compute(cv::img_hash::AverageHash::create(), m8)},
        {"bmhash", compute(cv::img_hash::BlockMeanHash::create(cv::img_hash::BLOCK_MEAN_HASH_MODE_0), m256)},
        {"mhhash", compute(cv::img_hash::MarrHildrethHash::create(), m512)},
    };
  }
};

}  // namespace

AnalyzerPtr make_hash_analyzer(const AnalysisOptions&) { return std::make_shared<HashAnalyzer>(); }

}  // namespace visionfs::analysis
