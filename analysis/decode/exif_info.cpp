#include "analysis/decode/exif_info.h"

#include "analysis/core/json_values.h"

#include <libexif/exif-data.h>
#include <libexif/exif-utils.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace visionfs::analysis {

namespace {

// libexif caps an EXIF block at the size a JPEG APP1 segment can have.
constexpr std::size_t kMaxExifBytes = 0xFFFE - 6;

// EXIF text is specified as ASCII; cameras write Latin-1, UTF-8 and binary
// junk too. valid_utf8() replaces what is not UTF-8 so the JSON serialiser
// never sees bad text; padding (spaces, tabs, newlines) is trimmed.
std::string clean_text(std::string_view in) {
  std::string out = valid_utf8(in);
  const auto first = out.find_first_not_of(" \t\n");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \t\n") - first + 1);
}

ExifEntry* find_entry(ExifData* data, ExifIfd ifd, ExifTag tag) {
  return data->ifd[ifd] ? exif_content_get_entry(data->ifd[ifd], tag) : nullptr;
}

std::optional<std::string> ascii_value(ExifEntry* entry) {
  if (entry == nullptr || entry->data == nullptr || entry->size == 0) return std::nullopt;
  if (entry->format != EXIF_FORMAT_ASCII && entry->format != EXIF_FORMAT_UNDEFINED) {
    return std::nullopt;
  }
  const char* text = reinterpret_cast<const char*>(entry->data);
  const std::size_t length = strnlen(text, entry->size);
  std::string value = clean_text({text, length});
  if (value.empty()) return std::nullopt;
  return value;
}

bool digits_at(const std::string& s, std::size_t pos, std::size_t n) {
  return pos + n <= s.size() &&
         std::all_of(s.begin() + static_cast<std::ptrdiff_t>(pos),
                     s.begin() + static_cast<std::ptrdiff_t>(pos + n),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// "2019:07:14 16:02:11" -> "2019-07-14T16:02:11"; cameras without a clock
// write zeros or blanks, which mean "unknown".
std::optional<std::string> iso_date(const std::optional<std::string>& raw,
                                    const std::optional<std::string>& offset) {
  if (!raw) return std::nullopt;
  const std::string& s = *raw;
  const bool exif_form = s.size() >= 19 && digits_at(s, 0, 4) && s[4] == ':' && digits_at(s, 5, 2) &&
                         s[7] == ':' && digits_at(s, 8, 2) && s[10] == ' ' && digits_at(s, 11, 2) &&
                         s[13] == ':' && digits_at(s, 14, 2) && s[16] == ':' && digits_at(s, 17, 2);
  if (!exif_form) return s;
  if (s.compare(0, 10, "0000:00:00") == 0) return std::nullopt;
  std::string iso = s.substr(0, 4) + "-" + s.substr(5, 2) + "-" + s.substr(8, 2) + "T" + s.substr(11, 8);
  if (offset && offset->size() == 6 && ((*offset)[0] == '+' || (*offset)[0] == '-') &&
      digits_at(*offset, 1, 2) && (*offset)[3] == ':' && digits_at(*offset, 4, 2)) {
    iso += *offset;
  }
  return iso;
}

}  // namespace

std::optional<ExifSummary> read_exif(std::span<const std::uint8_t> tiff_block) {
  if (tiff_block.size() < 8) return std::nullopt;
  // libexif expects the block as it appears in a JPEG APP1 segment.
  static constexpr std::uint8_t kPrefix[] = {'E', 'x', 'i', 'f', 0, 0};
  std::vector<std::uint8_t> app1(std::begin(kPrefix), std::end(kPrefix));
  const std::size_t length = std::min(tiff_block.size(), kMaxExifBytes);
  app1.insert(app1.end(), tiff_block.begin(), tiff_block.begin() + static_cast<std::ptrdiff_t>(length));

  std::unique_ptr<ExifData, decltype(&exif_data_unref)> data(exif_data_new(), &exif_data_unref);
  if (!data) return std::nullopt;
  // FOLLOW_SPECIFICATION would invent mandatory tags with default values;
  // visionfs reports only what the file says.
  exif_data_unset_option(data.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_load_data(data.get(), app1.data(), static_cast<unsigned int>(app1.size()));

  bool any = false;
  for (int ifd = 0; ifd < EXIF_IFD_COUNT; ++ifd) {
    any = any || (data->ifd[ifd] && data->ifd[ifd]->count > 0);
  }
  if (!any) return std::nullopt;

  ExifSummary summary;
  summary.make = ascii_value(find_entry(data.get(), EXIF_IFD_0, EXIF_TAG_MAKE));
  summary.model = ascii_value(find_entry(data.get(), EXIF_IFD_0, EXIF_TAG_MODEL));
  summary.software = ascii_value(find_entry(data.get(), EXIF_IFD_0, EXIF_TAG_SOFTWARE));
  summary.date_time_original =
      iso_date(ascii_value(find_entry(data.get(), EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL)),
               ascii_value(find_entry(data.get(), EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL)));
  if (ExifEntry* entry = find_entry(data.get(), EXIF_IFD_0, EXIF_TAG_ORIENTATION);
      entry && entry->format == EXIF_FORMAT_SHORT && entry->components >= 1 && entry->size >= 2) {
    const int value = exif_get_short(entry->data, exif_data_get_byte_order(data.get()));
    if (value >= 1 && value <= 8) summary.orientation = value;
  }
  summary.gps_present = data->ifd[EXIF_IFD_GPS] && data->ifd[EXIF_IFD_GPS]->count > 0;
  return summary;
}

}  // namespace visionfs::analysis
