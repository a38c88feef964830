#pragma once
// PP-OCR scene-text engine (make_ppocr_engine in analysis/core/factories.h):
// PaddleOCR's PP-OCRv3 English DB text detector plus the en_number v2.0 CRNN
// recogniser, both through cv::dnn. Finds text on signs, packaging and
// photos, where Tesseract (tuned for documents) sees little; the text
// analyzer merges its lines with Tesseract's.
//
// Detection is decoded by hand, as PaddleOCR's DBPostProcess does it
// (cv::dnn::TextDetectionModel_DB returns no boxes for this model in 4.6):
// probability map > 0.3, contours, minimum-area rectangles, keep those whose
// mean probability is >= 0.6, expand ("unclip") by area * 1.5 / perimeter.
// Recognition: each region warped upright, resized to height 32 keeping its
// aspect, zero-padded to 320 wide (the model's static input), CTC-greedy
// over en_dict.txt plus a space; regions wider than 10:1 are read in pieces
// cut at the column with the least ink.
//
// Output: one TextLine per detected region, in reading order (top to bottom,
// left to right), engine "pp-ocr", confidence = the mean of the per-character
// maximum CTC probabilities (0..1); lines under 0.5 are dropped, as PaddleOCR
// does. Words are the line split on spaces, each boxed from the positions
// where the CTC decoder emitted its characters, so word boxes are
// approximate (good to about half a character).
//
// Thread-safety: read() is const; it leases one detection and one
// recognition network per concurrent caller, loaded on first use.

#include "analysis/core/analysis_options.h"
#include "analysis/engines/detectors.h"

namespace visionfs::analysis {

inline constexpr float kPpocrBinaryThreshold = 0.3f;
inline constexpr float kPpocrBoxThreshold = 0.6f;
inline constexpr float kPpocrUnclipRatio = 1.5f;
inline constexpr float kPpocrMinLineConfidence = 0.5f;
// Images are scaled so their long side is at most this before detection
// (PaddleOCR's det_limit_side_len), then to multiples of 32.
inline constexpr int kPpocrMaxSide = 960;

}  // namespace visionfs::analysis
