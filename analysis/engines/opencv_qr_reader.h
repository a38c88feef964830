#pragma once
// OpenCvQrReader: QR codes with OpenCV alone, for when the WeChat CNN models
// are not installed.
//
// Debian's OpenCV 4.6 is built without quirc, so cv::QRCodeDetector locates
// QR codes but cannot decode them ("Library QUIRC is not linked"). This
// reader therefore splits the work:
//  - cv::QRCodeDetector finds the codes' corners: detectMulti() for every
//    code, plus detect() for the single code detectMulti() sometimes misses
//    when it is alone; then codes already found are painted out and detect()
//    runs again, up to kMaxRounds times, for codes beside others;
//  - the ZXing decoder inside the wechat_qrcode module, run without its CNN
//    models (then it reads the whole picture it is given), decodes the
//    padded region around each set of corners;
//  - finally that decoder reads the whole image with the found codes painted
//    out, up to kMaxRounds times; a code found only there is located by
//    narrowing the region it still decodes in, and its polygon is that
//    axis-aligned region (a few modules larger than the code; the whole
//    image when ZXing reads it only there, as with 1-pixel modules).
// Both objects are created per call: they cost microseconds to construct.
//
// Thread-safety: read() is const and thread-safe.
// Determinism: detectMulti() clusters with cv::kmeans, which draws from the
// calling thread's cv::theRNG(); read() seeds it with a constant and
// restores the caller's state afterwards.

#include "analysis/engines/detectors.h"

namespace visionfs::analysis {

class OpenCvQrReader final : public CodeReader {
 public:
  // Larger inputs are located on a copy downscaled to this long side;
  // decoding always reads the full-resolution pixels.
  static constexpr int kMaxLocateSide = 1600;
  static constexpr int kMaxRounds = 4;

  std::string name() const override { return "opencv-qrcode"; }
  std::vector<DetectedCode> read(const cv::Mat& bgr) const override;
};

}  // namespace visionfs::analysis
