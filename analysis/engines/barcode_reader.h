#pragma once
// BarcodeReader: EAN/UPC barcodes with cv::barcode::BarcodeDetector
// (opencv_contrib 4.6, no super-resolution model).
//
// The 4.6 detector finds bars by gradient density in windows of 1..11% of
// the image's short side, so it only sees barcodes whose bars are about 1..2
// pixels wide at its working size (measured: a zint EAN-13 decodes at module
// width 1..1.5 px and fails at 2 px and above). read() therefore runs it on
// a pyramid: the image shrunk to a short side of at most kBaseSide (the
// detector shrinks to that itself), then four more steps of 1/sqrt(2),
// each as is and slightly blurred (sigma 1, which widens thin edges),
// stopping below a short side of kMinSide. Results are merged: one code per
// payload and place, from the largest scale that read it.
//
// kMinSide also guards a crash: the 4.6 detector divides by a window size
// of round(short side * 0.01), which is 0 (SIGFPE) for short sides 41..49.
//
// Thread-safety: read() is const and thread-safe (a detector per call; it
// costs microseconds).
// Symbologies: EAN_8, EAN_13, UPC_A, UPC_E, UPC_EAN_EXTENSION (what the
// 4.6 decoder reports); entries it could not decode are skipped.

#include "analysis/engines/detectors.h"

namespace visionfs::analysis {

class BarcodeReader final : public CodeReader {
 public:
  static constexpr int kBaseSide = 512;
  static constexpr int kMinSide = 64;
  static constexpr int kPyramidSteps = 5;

  std::string name() const override { return "opencv-barcode"; }
  std::vector<DetectedCode> read(const cv::Mat& bgr) const override;
};

}  // namespace visionfs::analysis
