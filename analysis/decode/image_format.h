#pragma once
// Recognising an image by its content (magic bytes), never by its name.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace visionfs::analysis {

enum class ImageFormat {
  // Decoded by visionfs (from memory only).
  kJpeg, kPng, kGif, kBmp, kWebp, kTiff,
  // Recognised as images (so they get sidecars) but refused with an
  // "unsupported format" error: OpenCV decodes some of them only through a
  // temporary file, which visionfs never allows.
  kExr, kJpeg2000, kHdr, kPnm, kPfm, kIco, kHeif, kAvif, kPsd,
};

// How many leading bytes sniff_image_format() needs at most.
inline constexpr std::size_t kSniffBytes = 32;

// The format whose signature `head` starts with, or nullopt for a non-image.
std::optional<ImageFormat> sniff_image_format(std::span<const std::uint8_t> head);

// Lower-case short name: "jpeg", "png", ..., "exr".
std::string_view format_name(ImageFormat format);

// True for the formats visionfs decodes.
bool is_decodable(ImageFormat format);

}  // namespace visionfs::analysis
