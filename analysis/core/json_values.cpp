#include "analysis/core/json_values.h"

#include <algorithm>
#include <cmath>

namespace visionfs::analysis {

double score_value(float score) {
  if (!(score >= 0.0f)) return 0.0;  // also NaN
  const double s = std::min(static_cast<double>(score), 1.0);
  return std::round(s * 10000.0) / 10000.0;
}

const char* google_likelihood(double value, const double (&cuts)[4], bool rising) {
  static const char* const kNames[] = {"VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"};
  int above = 0;
  for (double cut : cuts) above += value >= cut ? 1 : 0;
  return kNames[rising ? above : 4 - above];
}

std::string valid_utf8(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c >= 0x20 || c == '\t' || c == '\n') out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Length and lowest valid code point of the sequence starting with c.
    std::size_t len = 0;
    char32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out.append(kReplacement);
      ++i;
    }
  }
  return out;
}

}  // namespace visionfs::analysis
