#include "analysis/decode/decode.h"
#include "analysis/core/factories.h"

#include "gif_builder.h"
#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

nlohmann::json meta_of(const ByteVector& bytes) {
  const auto image = decode_image(bytes, {});
  return make_meta_analyzer({})->analyze({bytes, *image});
}

ByteVector messi() { return testing::read_bytes(testing::opencv_doc_image("messi5.jpg")); }

TEST(MetaAnalyzer, NameAndVersion) {
  const auto analyzer = make_meta_analyzer({});
  EXPECT_EQ(analyzer->name(), "meta");
  EXPECT_EQ(analyzer->version(), "1");
}

TEST(MetaAnalyzer, PlainJpeg) {
  const ByteVector bytes = messi();
  const nlohmann::json meta = meta_of(bytes);
  EXPECT_EQ(meta["format"], "jpeg");
  EXPECT_EQ(meta["storedWidth"], 548);
  EXPECT_EQ(meta["storedHeight"], 342);
  EXPECT_EQ(meta["orientation"], 1);
  EXPECT_EQ(meta["channels"], 3);
  EXPECT_EQ(meta["bitDepth"], 8);
  EXPECT_EQ(meta["frameCount"], 1);
  EXPECT_EQ(meta["fileBytes"], bytes.size());
  EXPECT_TRUE(meta["exif"].is_null());
}

TEST(MetaAnalyzer, RealCameraPhotos) {
  // leuvenA.jpg is an iPhone 6 photo that still carries its GPS block.
  const ByteVector iphone = testing::read_bytes(testing::opencv_doc_image("leuvenA.jpg"));
  const nlohmann::json meta = meta_of(iphone);
  EXPECT_EQ(meta["exif"]["make"], "Apple");
  EXPECT_EQ(meta["exif"]["model"], "iPhone 6");
  EXPECT_EQ(meta["exif"]["dateTimeOriginal"], "2019-04-14T13:46:10");
  EXPECT_EQ(meta["exif"]["gpsPresent"], true);
  EXPECT_EQ(meta["exif"].size(), 6u);  // presence only: no coordinates anywhere
  EXPECT_EQ(meta.dump().find("GPS"), std::string::npos);

  const nlohmann::json canon = meta_of(testing::read_bytes(testing::opencv_doc_image("text_defocus.jpg")));
  EXPECT_EQ(canon["exif"]["make"], "Canon");
  EXPECT_EQ(canon["exif"]["model"], "Canon PowerShot SX210 IS");
  EXPECT_EQ(canon["exif"]["orientation"], 1);
  EXPECT_EQ(canon["exif"]["gpsPresent"], false);
}

TEST(MetaAnalyzer, JpegWithCameraExif) {
  testing::ExifFields fields;
  fields.make = "Canon";
  fields.model = "Canon EOS 5D Mark IV";
  fields.software = "Firmware 1.2.3";
  fields.date_time_original = "2019:07:14 16:02:11";
  fields.offset_time_original = "+02:00";
  fields.orientation = 6;
  fields.gps = true;
  const nlohmann::json meta = meta_of(testing::with_jpeg_exif(messi(), testing::tiff_exif_block(fields)));
  EXPECT_EQ(meta["storedWidth"], 548);
  EXPECT_EQ(meta["orientation"], 6);
  const nlohmann::json& exif = meta["exif"];
  ASSERT_TRUE(exif.is_object()) << meta.dump(2);
  EXPECT_EQ(exif["make"], "Canon");
  EXPECT_EQ(exif["model"], "Canon EOS 5D Mark IV");
  EXPECT_EQ(exif["software"], "Firmware 1.2.3");
  EXPECT_EQ(exif["dateTimeOriginal"], "2019-07-14T16:02:11+02:00");
  EXPECT_EQ(exif["orientation"], 6);
  EXPECT_EQ(exif["gpsPresent"], true);
  // Exactly the documented keys: no coordinates, whatever the file holds.
  EXPECT_EQ(exif.size(), 6u);
  EXPECT_EQ(meta.dump().find("12.34"), std::string::npos);
}

TEST(MetaAnalyzer, MissingExifFieldsAreNull) {
  testing::ExifFields fields;
  fields.model = "Pixel 7";
  fields.date_time_original = "2023:01:02 03:04:05";
  const nlohmann::json exif = meta_of(testing::with_jpeg_exif(messi(), testing::tiff_exif_block(fields)))["exif"];
  EXPECT_EQ(exif["model"], "Pixel 7");
  EXPECT_TRUE(exif["make"].is_null());
  EXPECT_TRUE(exif["software"].is_null());
  EXPECT_TRUE(exif["orientation"].is_null());
  EXPECT_EQ(exif["dateTimeOriginal"], "2023-01-02T03:04:05");
  EXPECT_EQ(exif["gpsPresent"], false);
}

TEST(MetaAnalyzer, OddExifTextIsCleaned) {
  testing::ExifFields fields;
  fields.make = std::string("  NIKON\xE9\x01 ");
  fields.date_time_original = "0000:00:00 00:00:00";
  fields.software = "written by hand";
  const nlohmann::json exif = meta_of(testing::with_jpeg_exif(messi(), testing::tiff_exif_block(fields)))["exif"];
  EXPECT_EQ(exif["make"], "NIKON\xEF\xBF\xBD");
  EXPECT_TRUE(exif["dateTimeOriginal"].is_null());
  EXPECT_NO_THROW(exif.dump());
}

TEST(MetaAnalyzer, GarbageExifIsIgnored) {
  ByteVector junk(200, 0xAB);
  junk[0] = 'I';
  junk[1] = 'I';
  junk[2] = 0x2A;
  junk[3] = 0;
  const nlohmann::json meta = meta_of(testing::with_jpeg_exif(messi(), junk));
  EXPECT_EQ(meta["orientation"], 1);
  EXPECT_TRUE(meta["exif"].is_null());
}

TEST(MetaAnalyzer, PngWithExifChunk) {
  testing::ExifFields fields;
  fields.make = "FUJIFILM";
  const ByteVector png = testing::encode(cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
  const nlohmann::json meta = meta_of(testing::with_png_chunk(png, "eXIf", testing::tiff_exif_block(fields)));
  EXPECT_EQ(meta["format"], "png");
  EXPECT_EQ(meta["exif"]["make"], "FUJIFILM");
}

TEST(MetaAnalyzer, FormatSpecificFields) {
  EXPECT_EQ(meta_of(testing::encode(cv::Mat(5, 7, CV_16UC3, cv::Scalar::all(300)), ".png"))["bitDepth"], 16);
  EXPECT_EQ(meta_of(testing::encode(cv::Mat(5, 7, CV_8UC1, cv::Scalar(3)), ".png"))["channels"], 1);
  EXPECT_EQ(meta_of(testing::encode(cv::Mat(5, 7, CV_8UC4, cv::Scalar::all(3)), ".png"))["channels"], 4);
  EXPECT_EQ(meta_of(testing::encode(cv::Mat(5, 7, CV_8UC3, cv::Scalar::all(3)), ".bmp"))["format"], "bmp");
  const cv::Mat indices(6, 6, CV_8U, cv::Scalar(1));
  const nlohmann::json gif =
      meta_of(testing::make_gif(6, 6, {{0, 0, 0}, {9, 9, 9}}, {{indices}, {indices}, {indices}, {indices}}));
  EXPECT_EQ(gif["format"], "gif");
  EXPECT_EQ(gif["frameCount"], 4);
  EXPECT_TRUE(gif["exif"].is_null());
}

}  // namespace
}  // namespace visionfs::analysis
