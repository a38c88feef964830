#pragma once
// Helpers for the tests of the model-based analyzers and engines (objects,
// labels, safe, YuNet, PP-OCR, WeChat QR): options pointing at the test
// models directory, skipping when a model is absent, and box overlap.

#include "analysis/core/analysis_options.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include <string>

namespace visionfs::testing {

inline analysis::AnalysisOptions model_options() {
  analysis::AnalysisOptions options;
  options.models_dir = test_models_dir();
  return options;
}

inline double iou(const cv::Rect2d& a, const cv::Rect2d& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

}  // namespace visionfs::testing

// Skips the current test, with a message, when `relative` is not in the
// configured models directory (configure with -DVISIONFS_TEST_MODELS_DIR=...).
#define VISIONFS_REQUIRE_MODEL(relative)                                                          \
  do {                                                                                            \
    if (!::visionfs::testing::model_present(relative)) {                                          \
      GTEST_SKIP() << "model " << (relative) << " not installed in VISIONFS_TEST_MODELS_DIR='"    \
                   << ::visionfs::testing::test_models_dir().string() << "'";                    \
    }                                                                                             \
  } while (false)
