#include "analysis/decode/image_format.h"

#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

std::optional<ImageFormat> sniff(const ByteVector& bytes) { return sniff_image_format(bytes); }
std::optional<ImageFormat> sniff(const std::string& text) {
  return sniff(ByteVector(text.begin(), text.end()));
}

TEST(ImageFormat, RecognisesEncodedImagesOfEveryDecodableFormat) {
  const cv::Mat image(16, 16, CV_8UC3, cv::Scalar(20, 40, 60));
  EXPECT_EQ(sniff(testing::encode(image, ".jpg")), ImageFormat::kJpeg);
  EXPECT_EQ(sniff(testing::encode(image, ".png")), ImageFormat::kPng);
  EXPECT_EQ(sniff(testing::encode(image, ".bmp")), ImageFormat::kBmp);
  EXPECT_EQ(sniff(testing::encode(image, ".webp")), ImageFormat::kWebp);
  EXPECT_EQ(sniff(testing::encode(image, ".tiff")), ImageFormat::kTiff);
  EXPECT_EQ(sniff(testing::gif_without_frames()), ImageFormat::kGif);
  EXPECT_EQ(sniff(std::string("GIF87a\x01\x00\x01\x00")), ImageFormat::kGif);
  EXPECT_EQ(sniff(testing::read_bytes(testing::opencv_doc_image("messi5.jpg"))), ImageFormat::kJpeg);
  EXPECT_EQ(sniff(ByteVector{'M', 'M', 0x00, 0x2A, 0, 0, 0, 8}), ImageFormat::kTiff);
}

TEST(ImageFormat, RecognisesRefusedFormats) {
  EXPECT_EQ(sniff(ByteVector{0x76, 0x2F, 0x31, 0x01, 2, 0, 0, 0}), ImageFormat::kExr);
  EXPECT_EQ(sniff(ByteVector{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}),
            ImageFormat::kJpeg2000);
  EXPECT_EQ(sniff(ByteVector{0xFF, 0x4F, 0xFF, 0x51, 0, 0x2F}), ImageFormat::kJpeg2000);
  EXPECT_EQ(sniff(std::string("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n")), ImageFormat::kHdr);
  EXPECT_EQ(sniff(std::string("#?RGBE\n")), ImageFormat::kHdr);
  EXPECT_EQ(sniff(std::string("P6\n640 480\n255\n")), ImageFormat::kPnm);
  EXPECT_EQ(sniff(std::string("P1\n# made by hand\n2 2\n")), ImageFormat::kPnm);
  EXPECT_EQ(sniff(std::string("P5 3 3 255 ")), ImageFormat::kPnm);
  EXPECT_EQ(sniff(std::string("P7\nWIDTH 4\nHEIGHT 4\n")), ImageFormat::kPnm);
  EXPECT_EQ(sniff(std::string("PF\n640 480\n-1.0\n")), ImageFormat::kPfm);
  EXPECT_EQ(sniff(std::string("Pf\n3 3\n")), ImageFormat::kPfm);
  EXPECT_EQ(sniff(ByteVector{0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0, 0}), ImageFormat::kIco);
  EXPECT_EQ(sniff(ByteVector{'8', 'B', 'P', 'S', 0, 1, 0, 0}), ImageFormat::kPsd);
  EXPECT_EQ(sniff(std::string("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24)), ImageFormat::kHeif);
  EXPECT_EQ(sniff(std::string("\0\0\0\x1C" "ftypavif\0\0\0\0avifmif1miaf", 28)), ImageFormat::kAvif);
  // The generic still-image brand: the compatible brands decide.
  EXPECT_EQ(sniff(std::string("\0\0\0\x18" "ftypmif1\0\0\0\0mif1avif", 24)), ImageFormat::kAvif);
  EXPECT_EQ(sniff(std::string("\0\0\0\x18" "ftypmif1\0\0\0\0mif1heic", 24)), ImageFormat::kHeif);
}

TEST(ImageFormat, DoesNotClaimTextOrOtherFiles) {
  EXPECT_EQ(sniff(ByteVector{}), std::nullopt);
  EXPECT_EQ(sniff(std::string("P1 is the first priority in this list\n")), std::nullopt);
  EXPECT_EQ(sniff(std::string("P2\nhello\n")), std::nullopt);
  EXPECT_EQ(sniff(std::string("P3 10 apples\n")), std::nullopt);
  EXPECT_EQ(sniff(std::string("P7\nwidth is lower case\n")), std::nullopt);
  EXPECT_EQ(sniff(std::string("PF\nnot a number\n")), std::nullopt);
  EXPECT_EQ(sniff(std::string("BMW 320d, 2004, blue, 180000 km\n")), std::nullopt);
  EXPECT_EQ(sniff(std::string("RIFF\x24\0\0\0WAVEfmt ", 16)), std::nullopt);
  EXPECT_EQ(sniff(std::string("\0\0\0\x18" "ftypisom\0\0\0\0isomiso2", 24)), std::nullopt);  // MP4
  EXPECT_EQ(sniff(std::string("8BPS is a string")), std::nullopt);
  EXPECT_EQ(sniff(std::string("GIF88a")), std::nullopt);
  EXPECT_EQ(sniff(std::string("%PDF-1.7\n")), std::nullopt);
  EXPECT_EQ(sniff(ByteVector{0xFF, 0xD8}), std::nullopt);  // too short to be a JPEG
}

TEST(ImageFormat, LooksOnlyAtTheFirstSniffBytes) {
  std::string text(kSniffBytes, 'x');
  text += "GIF89a";
  EXPECT_EQ(sniff(text), std::nullopt);
}

TEST(ImageFormat, NamesAndDecodability) {
  EXPECT_EQ(format_name(ImageFormat::kJpeg), "jpeg");
  EXPECT_EQ(format_name(ImageFormat::kTiff), "tiff");
  EXPECT_EQ(format_name(ImageFormat::kExr), "exr");
  EXPECT_EQ(format_name(ImageFormat::kJpeg2000), "jpeg2000");
  EXPECT_EQ(format_name(ImageFormat::kAvif), "avif");
  for (auto f : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kGif, ImageFormat::kBmp,
                 ImageFormat::kWebp, ImageFormat::kTiff}) {
    EXPECT_TRUE(is_decodable(f)) << format_name(f);
  }
  for (auto f : {ImageFormat::kExr, ImageFormat::kJpeg2000, ImageFormat::kHdr, ImageFormat::kPnm,
                 ImageFormat::kPfm, ImageFormat::kIco, ImageFormat::kHeif, ImageFormat::kAvif,
                 ImageFormat::kPsd}) {
    EXPECT_FALSE(is_decodable(f)) << format_name(f);
  }
}

}  // namespace
}  // namespace visionfs::analysis
