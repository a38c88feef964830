#pragma once
// Engines behind the faces, text and codes analyzers. Each analyzer takes
// one or more engines, so the model-based ones (YuNet, PP-OCR, WeChat QR)
// plug in beside or instead of the Debian-data ones (cascades, Tesseract,
// cv::QRCodeDetector, cv::barcode) without the analyzer changing.
//
// Thread-safety: every method is const and called concurrently from worker
// threads; implementations keep per-thread or locked state.
// Preconditions: bgr is a non-empty CV_8UC3 image.

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

namespace visionfs::analysis {

struct Landmark {
  std::string type;  // Google's names: LEFT_EYE, RIGHT_EYE, NOSE_TIP, MOUTH_LEFT, MOUTH_RIGHT
  cv::Point2f position;
};

struct DetectedFace {
  cv::Rect2f box;                   // pixels, in the oriented frame
  float score = 0;                  // 0..1
  std::vector<Landmark> landmarks;  // empty when the detector has none
};

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  virtual std::string name() const = 0;  // "haar-cascade", "yunet-2023mar"
  virtual std::vector<DetectedFace> detect(const cv::Mat& bgr) const = 0;
};

// Quads are four corners in reading order: top-left, top-right,
// bottom-right, bottom-left of the text as read (so for text turned a
// quarter, the first corner is not the top-left one in the picture).
// Empty when the axis-aligned box says it all (upright text).
using TextQuad = std::vector<cv::Point2f>;

struct TextSymbol {
  std::string text;  // one character (UTF-8)
  TextQuad quad;
  float confidence = 0;  // 0..1
};

struct TextWord {
  std::string text;
  cv::Rect box;
  float confidence = 0;  // 0..1
  std::string engine;    // "tesseract", "pp-ocr"
  TextQuad quad;
  std::vector<TextSymbol> symbols;  // whose texts make up `text`
};

struct TextLine {
  std::string text;
  cv::Rect box;
  float confidence = 0;  // 0..1
  std::string engine;
  std::vector<TextWord> words;
  TextQuad quad;
  // The engine's layout: lines with the same block (and paragraph) number
  // belong together. -1: the line is a block of its own (scene text).
  int block = -1;
  int paragraph = -1;
};

class TextEngine {
 public:
  virtual ~TextEngine() = default;
  virtual std::string name() const = 0;
  virtual std::vector<TextLine> read(const cv::Mat& bgr) const = 0;
};

struct DetectedCode {
  std::string payload;
  std::string symbology;             // "QR_CODE", "EAN_13", "CODE_128", ...
  std::vector<cv::Point2f> polygon;  // corners in pixels
  std::string engine;                // "wechat-qrcode", "zbar"
};

class CodeReader {
 public:
  virtual ~CodeReader() = default;
  virtual std::string name() const = 0;
  virtual std::vector<DetectedCode> read(const cv::Mat& bgr) const = 0;
};

}  // namespace visionfs::analysis
