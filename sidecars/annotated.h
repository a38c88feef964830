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

#include "analysis/decode/decode.h"
#include "sidecars/combined.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace visionfs::sidecars {

inline constexpr int kAnnotatedLongSide = 1280;
inline constexpr int kAnnotatedQuality = 90;

// The analyzers whose results are drawn, in drawing order.
const std::vector<std::string>& annotated_analyzers();

// JPEG bytes. An image that cannot be decoded gives a small picture that
// says why, so a viewer shows the reason rather than an error.
std::string compose_annotated(std::span<const std::uint8_t> image, const std::vector<Part>& parts,
                              const analysis::DecodeLimits& limits);

}  // namespace visionfs::sidecars
