#pragma once
// ZbarReader: every symbology ZBar (the library behind `zbarimg`) reads, in
// process: EAN-8/13, UPC-A/E (with their 2- and 5-digit add-ons), Code 128,
// Code 39, Code 93, Codabar, Interleaved 2 of 5, GS1 DataBar (and
// Expanded) and QR codes. ISBNs stay EAN_13, as printed under the bars.
//
// ZBar scans every line of the grey image at its own resolution, so bar
// widths from 1 px up read without a pyramid. A linear code's polygon is
// where the scan lines crossed it (ZBar's own location points, as zbarimg
// prints them), grown to at least a few pixels so it is a region.
//
// Thread-safety: read() is const and thread-safe: each call makes its own
// zbar::ImageScanner (microseconds). The pixels are handed over from memory.

#include "analysis/engines/detectors.h"

namespace visionfs::analysis {

class ZbarReader final : public CodeReader {
 public:
  std::string name() const override { return "zbar"; }
  std::vector<DetectedCode> read(const cv::Mat& bgr) const override;
};

// Google-style names ("CODE_128", "QR_CODE", "ITF") for ZBar's symbol type
// names ("CODE-128", "QR-Code", "I2/5").
std::string zbar_symbology(const std::string& zbar_name);

}  // namespace visionfs::analysis
