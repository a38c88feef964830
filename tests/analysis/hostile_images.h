#pragma once
// The hostile files fuzzing found ways through the header guards with, and
// the valid files the guards once refused (issue 12), rebuilt byte by byte.
// Used by the decode tests, the on-mount test, and the fuzzing seed corpus
// (tools/make_images writes them to a directory).

#include "image_builders.h"
#include "tiff_builder.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <string>
#include <vector>

namespace visionfs::testing {

struct NamedImage {
  std::string name;  // file name, extension included
  ByteVector bytes;
};

// libtiff keeps the first ImageWidth/ImageLength and reads signed types; a
// guard that kept the last and skipped SLONG saw 1x20000 where libtiff
// decodes 20000x20000.
inline ByteVector tiff_dimension_decoy() {
  using namespace tiff;
  Page page = rgb_page(1, 20000);
  page.fields.insert(page.fields.begin(), {{256, kSLong, {20000}}, {257, kSLong, {20000}}});
  std::stable_sort(page.fields.begin(), page.fields.end(),
                   [](const Field& a, const Field& b) { return a.tag < b.tag; });
  return build_tiff({page});
}

// A 16x16 image declaring 16000x16000 tiles: OpenCV sizes its tile buffer
// from the tags (about 1 GB).
inline ByteVector tiff_huge_tiles() {
  using namespace tiff;
  Page page;
  page.strip.assign(16 * 16 * 3, 90);
  page.fields = {{256, kShort, {16}},     {257, kShort, {16}},   {258, kShort, {8, 8, 8}},
                 {259, kShort, {1}},      {262, kShort, {2}},    {277, kShort, {3}},
                 {322, kLong, {16000}},   {323, kLong, {16000}}, {324, kLong, {0}},
                 {325, kLong, {page.strip.size()}}};
  // TileOffsets (324) must point at the data, as StripOffsets would.
  ByteVector bytes = build_tiff({page});
  const std::size_t data = 8;  // the first page's data follows the header
  for (std::size_t at = 0; at + 12 <= bytes.size(); ++at) {
    if (bytes[at] == 0x44 && bytes[at + 1] == 0x01 && bytes[at + 2] == kLong) {
      bytes[at + 8] = static_cast<std::uint8_t>(data);
      break;
    }
  }
  return bytes;
}

// Two pages whose IFD chain loops back to the first.
inline ByteVector tiff_ifd_loop() {
  return build_tiff({rgb_page(24, 16), rgb_page(24, 16)}, false, true);
}

// A WebP whose VP8X chunk has a wrong size, with "DTED" where GDAL's
// signature check looks (offset 140): OpenCV's WebP decoder declines it and
// cv::imdecode offers it to GDAL, which reads from a temporary file.
inline ByteVector webp_gdal_bait() {
  ByteVector b = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X',
                  0xF0, 0xFF, 0xFF, 0x0F,  // chunk size: far more than the file
                  0, 0, 0, 0, 63, 0, 0, 63, 0, 0};
  b.resize(400, 0);
  const std::string dted = "DTED";
  std::copy(dted.begin(), dted.end(), b.begin() + 140);
  const auto riff = static_cast<std::uint32_t>(b.size() - 8);
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<std::uint8_t>(riff >> (8 * i));
  return b;
}

// A progressive JPEG with `extra` empty scans appended before EOI: each one
// a pass over all coefficients when libjpeg decodes it.
inline ByteVector jpeg_with_empty_scans(int extra, int side = 64) {
  cv::Mat image(side, side, CV_8UC3, cv::Scalar(40, 120, 200));
  cv::circle(image, {side / 2, side / 2}, side / 4, cv::Scalar(250, 250, 250), -1);
  ByteVector jpeg;
  cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  // The last scan header (FF DA, length, then the header bytes).
  std::size_t sos = 0;
  for (std::size_t i = 0; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) sos = i;
  }
  const std::size_t length = (jpeg[sos + 2] << 8) | jpeg[sos + 3];
  const ByteVector scan(jpeg.begin() + static_cast<std::ptrdiff_t>(sos),
                        jpeg.begin() + static_cast<std::ptrdiff_t>(sos + 2 + length));
  ByteVector out(jpeg.begin(), jpeg.end() - 2);  // without EOI
  for (int i = 0; i < extra; ++i) out.insert(out.end(), scan.begin(), scan.end());
  out.insert(out.end(), {0xFF, 0xD9});
  return out;
}

// A small valid PNG with a tEXt chunk declaring almost 2 GiB: libpng would
// allocate the declared length before finding the file short.
inline ByteVector png_chunk_past_end() {
  const ByteVector png = encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
  ByteVector out(png.begin(), png.begin() + 33);  // signature and IHDR
  put_be32(out, 0x7FFFFF00u);
  out.insert(out.end(), {'t', 'E', 'X', 't', 'k', 'e', 'y', 0, 'v'});
  return out;
}

// A PNG one pixel tall and 1,000,001 wide: few pixels, but over libpng's
// limit per side, so "too large" rather than "corrupt".
inline ByteVector png_too_wide() { return png_header_only(1'000'001, 1); }

// Valid: a 40x20 gradient TIFF with Orientation `orientation`.
inline ByteVector tiff_oriented(int orientation) {
  return build_tiff({rgb_page(40, 20, tiff::kShort,
                              {{274, tiff::kShort, {static_cast<std::uint64_t>(orientation)}}})});
}

// Valid: the same with SLONG dimensions, and as a BigTIFF.
inline ByteVector tiff_slong_dimensions() { return build_tiff({rgb_page(40, 20, tiff::kSLong)}); }
inline ByteVector bigtiff() { return build_tiff({rgb_page(40, 20, tiff::kLong8)}, true); }

// Valid: a 16-bit BMP with a V5 header and RGB565 masks, as most writers
// make them; pixel (x, y) = red x*31/(w-1), green y*63/(h-1), blue 31.
inline ByteVector bmp_v5_rgb565(int width = 10, int height = 6) {
  const std::size_t stride = ((static_cast<std::size_t>(width) * 16 + 31) / 32) * 4;
  const std::size_t offset = 14 + 124;
  ByteVector b(offset + stride * static_cast<std::size_t>(height), 0);
  auto put = [&](std::size_t at, std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  b[0] = 'B';
  b[1] = 'M';
  put(2, static_cast<std::uint32_t>(b.size()), 4);
  put(10, static_cast<std::uint32_t>(offset), 4);
  put(14, 124, 4);
  put(18, static_cast<std::uint32_t>(width), 4);
  put(22, static_cast<std::uint32_t>(height), 4);  // bottom-up
  put(26, 1, 2);
  put(28, 16, 2);
  put(30, 3, 4);  // BITFIELDS
  put(34, static_cast<std::uint32_t>(stride * height), 4);
  put(54, 0xF800, 4);
  put(58, 0x07E0, 4);
  put(62, 0x001F, 4);
  put(70, 0x73524742, 4);  // LCS_sRGB
  for (int y = 0; y < height; ++y) {
    const std::size_t row = offset + static_cast<std::size_t>(height - 1 - y) * stride;
    for (int x = 0; x < width; ++x) {
      const std::uint32_t r = static_cast<std::uint32_t>(x * 31 / (width - 1));
      const std::uint32_t g = static_cast<std::uint32_t>(y * 63 / (height - 1));
      put(row + static_cast<std::size_t>(x) * 2, (r << 11) | (g << 5) | 31, 2);
    }
  }
  return b;
}

// Every hostile file, named for where it is written.
inline std::vector<NamedImage> hostile_images() {
  return {{"tiff-dimension-decoy.tif", tiff_dimension_decoy()},
          {"tiff-huge-tiles.tif", tiff_huge_tiles()},
          {"tiff-ifd-loop.tif", tiff_ifd_loop()},
          {"webp-gdal-bait.webp", webp_gdal_bait()},
          {"jpeg-6000-scans.jpg", jpeg_with_empty_scans(6000, 2000)},
          {"png-chunk-past-end.png", png_chunk_past_end()},
          {"png-too-wide.png", png_too_wide()}};
}

// Every valid file the guards once refused.
inline std::vector<NamedImage> once_refused_images() {
  std::vector<NamedImage> out;
  for (int o = 5; o <= 8; ++o) out.push_back({"tiff-orientation-" + std::to_string(o) + ".tif", tiff_oriented(o)});
  out.push_back({"tiff-slong-dimensions.tif", tiff_slong_dimensions()});
  out.push_back({"bigtiff.tif", bigtiff()});
  out.push_back({"bmp-v5-rgb565.bmp", bmp_v5_rgb565()});
  return out;
}

}  // namespace visionfs::testing
