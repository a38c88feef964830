#pragma once
// Factories for every analyzer and engine. analysis/core/catalog.cpp is the only
// caller in the daemon; tests call them directly too.
//
// A factory that cannot run here (model or data file missing) throws
// AnalyzerUnavailable with a one-line reason for .visionfs/config.json.
// Loading is lazy where it is expensive: a factory checks that its files
// exist; networks load on first use.

#include "analysis/core/analysis_options.h"
#include "analysis/core/analyzer.h"
#include "analysis/engines/detectors.h"

#include <memory>
#include <vector>

namespace visionfs::analysis {

using FaceDetectorPtr = std::shared_ptr<const FaceDetector>;
using TextEnginePtr = std::shared_ptr<const TextEngine>;
using CodeReaderPtr = std::shared_ptr<const CodeReader>;

// Built-in analyzers: only Debian-packaged data.
AnalyzerPtr make_colors_analyzer(const AnalysisOptions& options);
AnalyzerPtr make_quality_analyzer(const AnalysisOptions& options);  // BRISQUE from opencv-data
AnalyzerPtr make_meta_analyzer(const AnalysisOptions& options);     // libexif
AnalyzerPtr make_hash_analyzer(const AnalysisOptions& options);     // cv::img_hash
AnalyzerPtr make_crops_analyzer(const AnalysisOptions& options);    // cv::saliency

// faces, text and codes are one analyzer each over pluggable engines.
AnalyzerPtr make_faces_analyzer(FaceDetectorPtr detector);
AnalyzerPtr make_text_analyzer(std::vector<TextEnginePtr> engines);
// `fallbacks` run only on images where `readers` found no code.
AnalyzerPtr make_codes_analyzer(std::vector<CodeReaderPtr> readers, std::vector<CodeReaderPtr> fallbacks = {});

// Engines that need only Debian's data.
FaceDetectorPtr make_cascade_face_detector(const AnalysisOptions& options);  // opencv-data cascades
TextEnginePtr make_tesseract_engine(const AnalysisOptions& options);         // tesseract-ocr-eng
CodeReaderPtr make_zbar_reader(const AnalysisOptions& options);              // libzbar0

// Engines and analyzers that need a model from the models directory.
FaceDetectorPtr make_yunet_face_detector(const AnalysisOptions& options);
TextEnginePtr make_ppocr_engine(const AnalysisOptions& options);
CodeReaderPtr make_wechat_qr_reader(const AnalysisOptions& options);
AnalyzerPtr make_objects_analyzer(const AnalysisOptions& options);  // YOLOX-nano
AnalyzerPtr make_labels_analyzer(const AnalysisOptions& options);   // MobileNetV2
AnalyzerPtr make_safe_analyzer(const AnalysisOptions& options);     // nsfwjs MobileNetV2

}  // namespace visionfs::analysis
