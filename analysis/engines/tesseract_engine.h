#pragma once
// TesseractEngine: OCR of printed text (documents, screenshots, scans) with
// the Tesseract 5 C++ API and the "eng" LSTM model from tesseract-ocr-eng.
//
// Owns: a pool of tesseract::TessBaseAPI handles, one per concurrent caller
// (a handle is not thread-safe). Each handle is initialised on first use,
// which reads eng.traineddata (about 70..130 ms), and then reused.
// Thread-safety: read() is const and thread-safe.
// Preconditions: the tessdata directory holds eng.traineddata
// (make_tesseract_engine checks).
//
// Privacy: pixels are handed to Tesseract from memory (SetImage); Tesseract
// writes no file: its image and config dumps are off by default and nothing
// here turns them on. Its occasional stderr notes carry no image content.
//
// Tesseract parallelises its LSTM with OpenMP (teams of 4 threads). With
// several analysis workers on a 2-core machine that oversubscribes the CPU:
// imageTextN.png took 1.8..4.5 s instead of 0.26 s under load. read()
// therefore switches OpenMP off (max-active-levels 0) on each thread it runs
// on; visionfs gets its parallelism from its worker threads. OpenCV uses TBB
// here, so this affects Tesseract alone.

#include "analysis/engines/detectors.h"
#include "analysis/engines/instance_pool.h"

#include <filesystem>
#include <memory>
#include <string>

namespace tesseract {
class TessBaseAPI;
}

namespace visionfs::analysis {

class TesseractEngine final : public TextEngine {
 public:
  // Words below this confidence (0..1) are dropped: on photos without text
  // Tesseract reads texture as short nonsense words at 0.1..0.4, while real
  // printed words score 0.6..0.97.
  static constexpr float kMinWordConfidence = 0.5f;
  // Larger inputs are downscaled to this long side first.
  static constexpr int kMaxSide = 4096;

  // tessdata: the directory holding <language>.traineddata.
  TesseractEngine(std::filesystem::path tessdata, std::string language);
  ~TesseractEngine() override;

  std::string name() const override { return "tesseract"; }
  std::vector<TextLine> read(const cv::Mat& bgr) const override;

 private:
  std::unique_ptr<tesseract::TessBaseAPI> init() const;

  std::filesystem::path tessdata_;
  std::string language_;
  mutable InstancePool<tesseract::TessBaseAPI> pool_;
};

// Where <language>.traineddata is: VISIONFS_TESSDATA_DIR when configured,
// else $TESSDATA_PREFIX, else the Debian and upstream default directories.
// Empty when none holds it.
std::filesystem::path find_tessdata_dir(const std::string& language);

}  // namespace visionfs::analysis
