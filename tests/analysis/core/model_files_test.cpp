// Resolving the models directory and finding model files in it.

#include "analysis/core/analyzer.h"
#include "analysis/core/factories.h"
#include "analysis/core/model_files.h"
#include "engine_test_util.h"
#include "model_test_util.h"

#include <gtest/gtest.h>

#include <fstream>

namespace visionfs::analysis {
namespace {

namespace fs = std::filesystem;

TEST(ModelFilesTest, ResolveFollowsOptionThenEnvironment) {
  EXPECT_EQ(resolve_models_dir("/opt/m", "/env/m", "/xdg", "/home/u"), fs::path("/opt/m"));
  EXPECT_EQ(resolve_models_dir("", "/env/m", "/xdg", "/home/u"), fs::path("/env/m"));
  EXPECT_EQ(resolve_models_dir("", nullptr, "/xdg", "/home/u"), fs::path("/xdg/visionfs/models"));
  EXPECT_EQ(resolve_models_dir("", nullptr, nullptr, "/home/u"), fs::path("/home/u/.local/share/visionfs/models"));
  // Empty counts as unset; a relative XDG_DATA_HOME is invalid per the spec.
  EXPECT_EQ(resolve_models_dir("", "", "", "/home/u"), fs::path("/home/u/.local/share/visionfs/models"));
  EXPECT_EQ(resolve_models_dir("", nullptr, "relative", "/home/u"), fs::path("/home/u/.local/share/visionfs/models"));
  EXPECT_EQ(resolve_models_dir("", nullptr, nullptr, nullptr), fs::path());
}

TEST(ModelFilesTest, MissingFileNamesItAndTheInstaller) {
  testing::ScratchDir dir;
  AnalysisOptions options;
  options.models_dir = dir.path();
  try {
    require_model_file(options, "objects/yolox_nano.onnx");
    FAIL() << "expected AnalyzerUnavailable";
  } catch (const AnalyzerUnavailable& e) {
    // Not the default directory: the advice installs where the daemon looks.
    EXPECT_EQ(std::string(e.what()), "model not installed: objects/yolox_nano.onnx (run scripts/install-models.sh --dest '" +
                                         dir.path().string() + "')");
  }
  options.models_dir = resolve_models_dir("");
  if (!options.models_dir.empty() && !fs::exists(options.models_dir / "objects/yolox_nano.onnx")) {
    try {
      require_model_file(options, "objects/yolox_nano.onnx");
    } catch (const AnalyzerUnavailable& e) {
      EXPECT_STREQ(e.what(), "model not installed: objects/yolox_nano.onnx (run scripts/install-models.sh)");
    }
  }
  options.models_dir.clear();
  EXPECT_THROW(require_model_file(options, "objects/yolox_nano.onnx"), AnalyzerUnavailable);
}

TEST(ModelFilesTest, TruncatedKnownFileIsDamaged) {
  testing::ScratchDir dir;
  fs::create_directories(dir.path() / "objects");
  std::ofstream(dir.path() / "objects/yolox_nano.onnx") << "not a network";
  AnalysisOptions options;
  options.models_dir = dir.path();
  try {
    require_model_file(options, "objects/yolox_nano.onnx");
    FAIL() << "expected AnalyzerUnavailable";
  } catch (const AnalyzerUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("model file damaged: objects/yolox_nano.onnx is 13 bytes, expected 3660092"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelFilesTest, FindsAnInstalledFile) {
  VISIONFS_REQUIRE_MODEL("objects/yolox_nano.onnx");
  EXPECT_EQ(require_model_file(testing::model_options(), "objects/yolox_nano.onnx"),
            testing::test_models_dir() / "objects/yolox_nano.onnx");
}

// A file of the right size that is not a network: the factory succeeds (it
// loads nothing), and the first analysis reports the model as unavailable.
TEST(ModelFilesTest, UnloadableModelFailsAtFirstUseAsUnavailable) {
  VISIONFS_REQUIRE_MODEL("objects/coco80.names");
  testing::ScratchDir dir;
  fs::create_directories(dir.path() / "objects");
  fs::copy_file(testing::test_models_dir() / "objects/coco80.names", dir.path() / "objects/coco80.names");
  {
    std::ofstream garbage(dir.path() / "objects/yolox_nano.onnx", std::ios::binary);
    garbage << std::string(3660092, 'x');
  }
  AnalysisOptions options;
  options.models_dir = dir.path();
  const auto analyzer = make_objects_analyzer(options);
  try {
    testing::run_on(*analyzer, cv::Mat(32, 32, CV_8UC3, cv::Scalar::all(0)));
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("model failed to load: yolox_nano.onnx"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace visionfs::analysis
