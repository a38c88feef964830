#include "analysis/core/catalog.h"

#include "analysis/core/factories.h"

#include <spdlog/spdlog.h>

#include <functional>

namespace visionfs::analysis {

const Analyzer* AnalyzerCatalog::find(const std::string& name) const {
  for (const auto& analyzer : available) {
    if (analyzer->name() == name) return analyzer.get();
  }
  return nullptr;
}

const std::vector<std::string>& all_analyzer_names() {
  static const std::vector<std::string> names = {"faces", "text", "codes",   "colors", "quality", "meta",
                                                 "hash",  "crops", "objects", "labels", "safe"};
  return names;
}

namespace {

// Calls a factory; an AnalyzerUnavailable becomes a recorded reason.
template <typename T>
std::shared_ptr<const T> try_make(const std::function<std::shared_ptr<const T>()>& factory,
                                  std::string* reason) {
  try {
    return factory();
  } catch (const AnalyzerUnavailable& e) {
    *reason = e.what();
  } catch (const std::exception& e) {
    *reason = std::string("failed to initialise: ") + e.what();
  }
  return nullptr;
}

// faces: YuNet when its model is installed, the Haar cascade otherwise.
AnalyzerPtr build_faces(const AnalysisOptions& o, AnalyzerCatalog& catalog) {
  std::string yunet_reason;
  auto detector = try_make<FaceDetector>([&] { return make_yunet_face_detector(o); }, &yunet_reason);
  if (!detector) detector = make_cascade_face_detector(o);
  catalog.engines.emplace_back("faces", detector->name());
  return make_faces_analyzer(detector);
}

// text: Tesseract for documents, plus PP-OCR for scene text when installed.
AnalyzerPtr build_text(const AnalysisOptions& o, AnalyzerCatalog& catalog) {
  std::vector<TextEnginePtr> engines;
  std::string reason, first_reason;
  if (auto tesseract = try_make<TextEngine>([&] { return make_tesseract_engine(o); }, &first_reason)) {
    engines.push_back(tesseract);
  }
  if (auto ppocr = try_make<TextEngine>([&] { return make_ppocr_engine(o); }, &reason)) engines.push_back(ppocr);
  if (engines.empty()) throw AnalyzerUnavailable(first_reason);
  std::string names;
  for (const auto& e : engines) names += (names.empty() ? "" : "+") + e->name();
  catalog.engines.emplace_back("text", names);
  return make_text_analyzer(std::move(engines));
}

// codes: ZBar for every symbology; after it, for the QR codes ZBar misses
// (small, blurred, photographed at an angle), WeChat's CNN reader when its
// model is installed, on images where ZBar found no code (codes_analyzer.cpp
// says why only then).
AnalyzerPtr build_codes(const AnalysisOptions& o, AnalyzerCatalog& catalog) {
  std::vector<CodeReaderPtr> readers = {make_zbar_reader(o)}, fallbacks;
  std::string reason;
  if (auto qr = try_make<CodeReader>([&] { return make_wechat_qr_reader(o); }, &reason)) fallbacks.push_back(qr);
  catalog.engines.emplace_back("codes", fallbacks.empty() ? "zbar" : "zbar, else wechat-qrcode");
  return make_codes_analyzer(std::move(readers), std::move(fallbacks));
}

}  // namespace

AnalyzerCatalog build_catalog(const AnalysisOptions& o) {
  AnalyzerCatalog catalog;
  auto add = [&](const std::string& name, const std::function<AnalyzerPtr()>& factory) {
    std::string reason;
    if (auto analyzer = try_make<Analyzer>(factory, &reason)) {
      catalog.available.push_back(std::move(analyzer));
    } else {
      catalog.unavailable.push_back({name, reason});
    }
  };

  add("faces", [&] { return build_faces(o, catalog); });
  add("text", [&] { return build_text(o, catalog); });
  add("codes", [&] { return build_codes(o, catalog); });
  add("colors", [&] { return make_colors_analyzer(o); });
  add("quality", [&] { return make_quality_analyzer(o); });
  add("meta", [&] { return make_meta_analyzer(o); });
  add("hash", [&] { return make_hash_analyzer(o); });
  add("crops", [&] { return make_crops_analyzer(o); });
  add("objects", [&] { return make_objects_analyzer(o); });
  add("labels", [&] { return make_labels_analyzer(o); });
  add("safe", [&] { return make_safe_analyzer(o); });

  for (const auto& u : catalog.unavailable) {
    spdlog::info("analyzer {} unavailable: {}", u.name, u.reason);
  }
  return catalog;
}

}  // namespace visionfs::analysis
