#pragma once
// Reading an image's dimensions and sample layout from its header alone,
// without allocating or decoding pixels. decode_image() uses this to refuse
// decompression bombs before a decoder sees the data; the meta analyzer uses
// find_exif_block() to read EXIF without decoding.
//
// Pure functions over a byte span; thread-safe. The spans returned point into
// the input and live as long as it does.

#include "analysis/decode/image_format.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace visionfs::analysis {

struct ImageHeader {
  int width = 0;          // as stored; for GIF the canvas the first frame is drawn on
  int height = 0;
  int channels = 0;       // samples per pixel as stored (JPEG: 1, 3 or 4 for CMYK)
  bool has_alpha = false; // an alpha channel or a transparent palette entry
  int bit_depth = 8;      // bits per sample (palette images: 8, the palette's depth)
  int frame_count = 1;    // GIF frames, TIFF pages, APNG frames
  // The largest pixel block a decoder allocates besides the image, as the
  // header declares it (TIFF: one tile or strip); 0 when there is none.
  std::uint64_t block_width = 0, block_height = 0;
  // JPEG only: where the entropy-coded data of the first scan begins, and
  // how many scans the file holds (progressive files have several; each
  // costs a pass over every coefficient).
  std::size_t jpeg_scan_offset = 0;
  int jpeg_scans = 0;
  // TIFF only: the Orientation tag (1 when absent or invalid) and where its
  // value sits in the file (0: absent), so the decoder can be kept from
  // applying it (OpenCV applies it for some layouts only).
  int tiff_orientation = 1;
  std::size_t tiff_orientation_at = 0;
  std::size_t tiff_orientation_size = 0;
  bool tiff_little_endian = true;
  // BMP only: 16 bits per pixel with channel masks (BITFIELDS), which
  // OpenCV 4.6 misreads in any header newer than BITMAPINFOHEADER.
  bool bmp_bitfields16 = false;
  // GIF only: the first frame's rectangle on the canvas.
  int gif_left = 0, gif_top = 0, gif_width = 0, gif_height = 0;
};

// Throws AnalysisError: kInvalidArgument for a malformed or truncated header,
// kUnimplemented for a variant the decoders cannot handle (animated WebP).
// REQUIRES: is_decodable(format) and `bytes` starts with format's signature.
ImageHeader read_image_header(ImageFormat format, std::span<const std::uint8_t> bytes);

// The EXIF block (TIFF-structured, starting "II*\0" or "MM\0*", without the
// "Exif\0\0" prefix) of a JPEG (APP1), PNG (eXIf) or WebP (EXIF chunk); empty
// when absent or for any other format. Never throws.
std::span<const std::uint8_t> find_exif_block(ImageFormat format,
                                              std::span<const std::uint8_t> bytes);

}  // namespace visionfs::analysis
