#pragma once
// NAME.annotated.jpg: a picture of what was found. The image as displayed
// (EXIF orientation applied), scaled so its long side is at most
// kAnnotatedLongSide, with faces (box and landmarks), objects (box, name,
// score), text lines and codes (outline and payload) drawn from the parts'
// results, and a legend. Nothing is analysed again: the boxes are the
// sidecars' own, in the oriented frame they share with this picture.
//
// Every mark is drawn twice, a dark halo under a bright colour, so it shows
// on dark and light photos alike. A pure function; thread-safe.

#include "analysis/decode/decoded_image.h"
#include "sidecars/combined.h"

#include <cstdint>
#include <string>
#include <vector>

namespace visionfs::sidecars {

inline constexpr int kAnnotatedLongSide = 1280;
inline constexpr int kAnnotatedQuality = 90;

// The analyzers whose results are drawn, in drawing order.
const std::vector<std::string>& annotated_analyzers();

// The memory drawing takes besides the decoded image: a copy at most
// kAnnotatedLongSide pixels long (or of the whole image, when smaller) and
// the JPEG encoder's buffers.
inline constexpr std::uint64_t kAnnotatedWorkingBytes = std::uint64_t{16} << 20;

// JPEG bytes, drawn on the decoded image of the version the parts
// describe (run by analysis::AnalysisService::submit_drawing, which shares
// the version's decode). An image that could not be decoded (null) gives a
// small picture that says why, so a viewer shows the reason rather than an
// error.
std::string draw_annotated(const analysis::DecodedImage* decoded, const std::string& decode_error,
                           const std::vector<Part>& parts);

}  // namespace visionfs::sidecars
