#pragma once
// Values as the faces, text and codes sidecars write them: scores rounded so
// the JSON stays readable, and strings made valid UTF-8 (nlohmann::json
// refuses to serialise anything else, and OCR output and QR payloads come
// from pixels: a QR code may carry arbitrary bytes).
// Thread-safety: pure functions; reentrant.

#include <string>
#include <string_view>

namespace visionfs::analysis {

// `score` clamped to 0..1 and rounded to 4 decimals (0.6612, not
// 0.6611999869346619); NaN becomes 0.
double score_value(float score);

// Google's Likelihood name (VERY_UNLIKELY, UNLIKELY, POSSIBLE, LIKELY,
// VERY_LIKELY) for `value`: `cuts` are the 4 ascending values where the
// next bucket starts; `rising` says that a higher value is more likely
// (else a lower one is). Bucketing keeps an answer stable when a measure
// moves a little.
const char* google_likelihood(double value, const double (&cuts)[4], bool rising = true);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, and NUL and
// the other C0 control characters except tab and newline dropped.
std::string valid_utf8(std::string_view text);

}  // namespace visionfs::analysis
