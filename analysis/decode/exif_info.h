#pragma once
// Reading the few EXIF fields visionfs reports (camera, capture time,
// orientation, whether GPS data exists) with libexif.
//
// GPS coordinates are deliberately never extracted: only their presence.
// Pure function; thread-safe (libexif keeps no global state for parsing).

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace visionfs::analysis {

struct ExifSummary {
  std::optional<std::string> make;
  std::optional<std::string> model;
  std::optional<std::string> software;
  // ISO 8601 local time "YYYY-MM-DDTHH:MM:SS", with the offset ("+02:00")
  // appended when OffsetTimeOriginal is present; the raw text when the camera
  // wrote something that is not an EXIF date.
  std::optional<std::string> date_time_original;
  std::optional<int> orientation;  // 1..8; absent when missing or out of range
  bool gps_present = false;
};

// `tiff_block` is the EXIF payload after "Exif\0\0" (see find_exif_block()).
// nullopt when it is empty or holds no readable IFD. Strings are trimmed and
// made valid UTF-8. Never throws for bad data.
std::optional<ExifSummary> read_exif(std::span<const std::uint8_t> tiff_block);

}  // namespace visionfs::analysis
