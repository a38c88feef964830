#include "analysis/decode/decode.h"
#include "analysis/core/factories.h"

#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <bit>
#include <map>

namespace visionfs::analysis {
namespace {

nlohmann::json hash_of(const cv::Mat& bgr) {
  const auto bytes = testing::encode(bgr, ".png");
  const auto image = decode_image(bytes, {});
  return make_hash_analyzer({})->analyze({bytes, *image});
}

cv::Mat photo(const std::string& name) {
  const auto bytes = testing::read_bytes(testing::opencv_doc_image(name));
  return decode_image(bytes, {})->pixels.clone();
}

// Bits that differ between two equal-length hex strings.
int hamming(const std::string& a, const std::string& b) {
  EXPECT_EQ(a.size(), b.size());
  int bits = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const unsigned x = std::stoul(a.substr(i, 1), nullptr, 16) ^ std::stoul(b.substr(i, 1), nullptr, 16);
    bits += std::popcount(x);
  }
  return bits;
}

TEST(HashAnalyzer, NameAndVersion) {
  const auto analyzer = make_hash_analyzer({});
  EXPECT_EQ(analyzer->name(), "hash");
  EXPECT_EQ(analyzer->version(), "1");
}

TEST(HashAnalyzer, LowerCaseHexOfDocumentedLengths) {
  const nlohmann::json h = hash_of(photo("messi5.jpg"));
  const std::map<std::string, std::size_t> lengths = {{"phash", 16}, {"ahash", 16}, {"bmhash", 64}, {"mhhash", 144}};
  EXPECT_EQ(h.size(), lengths.size());
  for (const auto& [key, length] : lengths) {
    const std::string value = h[key];
    EXPECT_EQ(value.size(), length) << key;
    EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
  }
}

TEST(HashAnalyzer, IdenticalImagesHashIdentically) {
  EXPECT_EQ(hash_of(photo("messi5.jpg")), hash_of(photo("messi5.jpg")));
}

TEST(HashAnalyzer, NearDuplicatesAreCloseAndDifferentImagesFar) {
  const cv::Mat original = photo("messi5.jpg");
  cv::Mat resized, recompressed;
  cv::resize(original, resized, cv::Size(), 0.8, 0.8, cv::INTER_AREA);
  cv::imdecode(testing::encode(original, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 60}), cv::IMREAD_COLOR)
      .copyTo(recompressed);
  const nlohmann::json a = hash_of(original);
  for (const cv::Mat& near : {resized, recompressed}) {
    const nlohmann::json b = hash_of(near);
    EXPECT_LE(hamming(a["phash"], b["phash"]), 6);
    EXPECT_LE(hamming(a["ahash"], b["ahash"]), 6);
    EXPECT_LE(hamming(a["bmhash"], b["bmhash"]), 24);
    EXPECT_LE(hamming(a["mhhash"], b["mhhash"]), 60);
  }
  for (const char* other : {"squirrel_cls.jpg", "baboon.jpg", "sudoku.png"}) {
    const nlohmann::json c = hash_of(photo(other));
    EXPECT_GE(hamming(a["phash"], c["phash"]), 18) << other;
    EXPECT_GE(hamming(a["bmhash"], c["bmhash"]), 70) << other;
    EXPECT_GE(hamming(a["mhhash"], c["mhhash"]), 150) << other;
  }
}

TEST(HashAnalyzer, TinyImage) {
  const nlohmann::json h = hash_of(cv::Mat(1, 3, CV_8UC3, cv::Scalar(5, 6, 7)));
  EXPECT_EQ(h["phash"].get<std::string>().size(), 16u);
}

}  // namespace
}  // namespace visionfs::analysis
