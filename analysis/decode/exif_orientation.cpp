#include "analysis/decode/exif_orientation.h"

namespace visionfs::analysis {

// The same mapping as OpenCV's own ApplyExifOrientation (and the EXIF 2.3
// table): the row-0/column-0 corner names how the stored image is turned.
// Turned images are flipped in place after the transpose, so at most two
// copies of the pixels exist at once (what decoded_bytes() charges).
cv::Mat apply_exif_orientation(const cv::Mat& stored, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(stored, out, 1); return out;   // mirrored left-right
    case 3: cv::flip(stored, out, -1); return out;  // rotated 180
    case 4: cv::flip(stored, out, 0); return out;   // mirrored top-bottom
    case 5: cv::transpose(stored, out); return out; // mirrored along the main diagonal
    case 6:                                         // rotated 90 clockwise to view
      cv::transpose(stored, out);
      cv::flip(out, out, 1);
      return out;
    case 7:  // mirrored along the anti-diagonal
      cv::transpose(stored, out);
      cv::flip(out, out, -1);
      return out;
    case 8:  // rotated 90 counter-clockwise to view
      cv::transpose(stored, out);
      cv::flip(out, out, 0);
      return out;
    default: return stored;
  }
}

}  // namespace visionfs::analysis
