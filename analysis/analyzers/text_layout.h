#pragma once
// The text analyzer's lines as Google's fullTextAnnotation (TextAnnotation):
// pages > blocks > paragraphs > words > symbols, each with a bounding box,
// a confidence and, on a word's last symbol, the break that follows it
// (SPACE between words, EOL_SURE_SPACE at the end of a line, LINE_BREAK at
// the end of a paragraph). `text` is the symbols and breaks written out, so
// it ends in a newline, as Google's does.
//
// Blocks and paragraphs are Tesseract's layout; a line from an engine
// without one (PP-OCR's scene text) is a block and paragraph of its own.
// Pure functions; thread-safe.

#include "analysis/engines/detectors.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace visionfs::analysis {

// {"vertices": [4 x {"x", "y"}]}: the quad in reading order (integer
// pixels, clamped to `frame`), or the box's corners when there is no quad.
nlohmann::json quad_poly(const TextQuad& quad, const cv::Rect& box, const cv::Rect& frame);

// The axis-aligned box around the vertices of every polygon given
// ({"vertices": [...]}, as quad_poly makes them), as a polygon.
nlohmann::json hull_poly(const std::vector<nlohmann::json>& polys);

// `lines` in reading order; `frame` the image (the page's size).
nlohmann::json full_text_annotation(const std::vector<const TextLine*>& lines, const cv::Rect& frame,
                                    const std::string& language);

}  // namespace visionfs::analysis
