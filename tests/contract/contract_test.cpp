// The contract every analyzer in the catalog keeps, checked the same way for
// all of them (a typed/value-parameterised suite in the style of CryFS's
// interface tests): the envelope, the documented top-level fields, error
// JSON for broken images, determinism, thread-safety, and 0..1 scores.
//
// An analyzer the catalog cannot build here (model not installed) is
// skipped with the catalog's reason.

#include "analysis/core/catalog.h"
#include "analysis/core/pipeline.h"

#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

// Built once for the whole run and destroyed in the environment's TearDown,
// before static destructors: libraries such as Tesseract keep global caches
// that complain when an engine outlives them.
std::unique_ptr<AnalyzerCatalog>& catalog_instance() {
  static std::unique_ptr<AnalyzerCatalog> instance;
  return instance;
}

const AnalyzerCatalog& catalog() {
  auto& instance = catalog_instance();
  if (!instance) {
    AnalysisOptions options;
    options.models_dir = VISIONFS_MODELS_DIR;
    instance = std::make_unique<AnalyzerCatalog>(build_catalog(options));
  }
  return *instance;
}

class CatalogEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { catalog_instance().reset(); }
};

[[maybe_unused]] ::testing::Environment* const kCatalogEnvironment =
    ::testing::AddGlobalTestEnvironment(new CatalogEnvironment);

// Top-level fields each analyzer documents in docs/analyzers/<name>.md and
// always writes on success. An analyzer missing here is held to the envelope.
const std::map<std::string, std::vector<std::string>>& documented_fields() {
  static const std::map<std::string, std::vector<std::string>> fields = {
      {"faces", {"detector", "faces"}},
      {"text", {"text", "locale", "engines", "lines"}},
      {"codes", {"codes", "engines"}},
      {"colors", {"dominantColors", "meanBrightness", "grayscale"}},
      {"quality", {"score", "sharpness", "exposure", "noise", "brisque"}},
      {"meta", {"format", "storedWidth", "storedHeight", "orientation", "channels", "bitDepth",
                "frameCount", "fileBytes", "exif"}},
      {"hash", {"phash", "ahash", "bmhash", "mhhash"}},
      {"objects", {"model", "objects"}},
      {"labels", {"model", "labels"}},
      {"safe", {"model", "safe", "scores"}},
  };
  return fields;
}

const std::vector<std::string> kEnvelope = {"analyzer", "version", "width", "height", "elapsedMs"};

ByteVector photo(const std::string& name) { return testing::read_bytes(testing::opencv_doc_image(name)); }

nlohmann::json without_timing(nlohmann::json result) {
  result.erase("elapsedMs");
  return result;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Keys that name a probability or a fraction: "score", "confidence",
// "pixelFraction", and any "...Score", "...Confidence" or "...Fraction".
bool is_unit_key(const std::string& key) {
  return key == "score" || key == "confidence" || ends_with(key, "Score") ||
         ends_with(key, "Confidence") || ends_with(key, "Fraction");
}

void expect_unit(const nlohmann::json& value, const std::string& where) {
  EXPECT_GE(value.get<double>(), 0.0) << where;
  EXPECT_LE(value.get<double>(), 1.0) << where;
}

// Every number under such a key, at any depth, must be within 0..1; so must
// every number anywhere inside a "scores" object (a probability per class)
// or a "normalizedVertices" array (coordinates as fractions of the image).
void expect_unit_intervals(const nlohmann::json& node, const std::string& path, bool all_units = false) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const std::string where = path + "." + key;
      if (value.is_number() && (all_units || is_unit_key(key))) expect_unit(value, where);
      expect_unit_intervals(value, where, all_units || key == "scores" || key == "normalizedVertices");
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string where = path + "[" + std::to_string(i) + "]";
      if (node[i].is_number() && all_units) expect_unit(node[i], where);
      expect_unit_intervals(node[i], where, all_units);
    }
  }
}

// The walker itself must catch what it is meant to catch.
TEST(ContractHelpers, UnitIntervalWalkerCatchesOutOfRangeNumbers) {
  EXPECT_NONFATAL_FAILURE(expect_unit_intervals({{"faces", {{{"detectionConfidence", 1.5}}}}}, "r"),
                          "detectionConfidence");
  EXPECT_NONFATAL_FAILURE(expect_unit_intervals({{"scores", {{"porn", -0.1}}}}, "r"), "porn");
  EXPECT_NONFATAL_FAILURE(
      expect_unit_intervals({{"boundingPoly", {{"normalizedVertices", {{{"x", 1.2}, {"y", 0}}}}}}}, "r"),
      "x");
  EXPECT_NONFATAL_FAILURE(expect_unit_intervals({{"colors", {{{"pixelFraction", 2}}}}}, "r"), "pixelFraction");
  expect_unit_intervals({{"width", 548}, {"score", 1.0}, {"sharpness", {{"laplacianVariance", 786.7}}}}, "r");
}

class AnalyzerContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    analyzer_ = catalog().find(GetParam());
    if (analyzer_ == nullptr) {
      std::string reason = "not in the catalog";
      for (const auto& u : catalog().unavailable) {
        if (u.name == GetParam()) reason = u.reason;
      }
      GTEST_SKIP() << GetParam() << " unavailable: " << reason;
    }
  }

  nlohmann::json analyze(const ByteVector& bytes) const {
    return analyze_bytes(*analyzer_, bytes, DecodeLimits{});
  }

  void expect_error(const ByteVector& bytes, ErrorCode code, const std::string& what) const {
    const nlohmann::json result = analyze(bytes);
    ASSERT_TRUE(result.is_object()) << what;
    EXPECT_EQ(result.size(), 3u) << what << ": " << result.dump();
    EXPECT_EQ(result.value("analyzer", ""), GetParam()) << what;
    EXPECT_TRUE(result["version"].is_string()) << what;
    ASSERT_TRUE(result["error"].is_object()) << what << ": " << result.dump();
    EXPECT_EQ(result["error"].size(), 2u) << what;
    EXPECT_EQ(result["error"]["code"], static_cast<int>(code)) << what << ": " << result.dump();
    ASSERT_TRUE(result["error"]["message"].is_string()) << what;
    EXPECT_FALSE(result["error"]["message"].get<std::string>().empty()) << what;
  }

  const Analyzer* analyzer_ = nullptr;
};

TEST_P(AnalyzerContract, NameMatchesAndVersionIsSet) {
  EXPECT_EQ(analyzer_->name(), GetParam());
  EXPECT_FALSE(analyzer_->version().empty());
}

TEST_P(AnalyzerContract, SuccessHasEnvelopeAndDocumentedFields) {
  const nlohmann::json result = analyze(photo("messi5.jpg"));
  ASSERT_TRUE(result.is_object());
  ASSERT_FALSE(result.contains("error")) << result.dump(2);
  EXPECT_EQ(result["analyzer"], GetParam());
  EXPECT_TRUE(result["version"].is_string());
  EXPECT_EQ(result["version"], analyzer_->version());
  ASSERT_TRUE(result["width"].is_number_integer());
  ASSERT_TRUE(result["height"].is_number_integer());
  EXPECT_EQ(result["width"], 548);
  EXPECT_EQ(result["height"], 342);
  ASSERT_TRUE(result["elapsedMs"].is_number());
  EXPECT_GE(result["elapsedMs"].get<double>(), 0.0);
  for (const auto& key : kEnvelope) EXPECT_TRUE(result.contains(key)) << key;
  const auto documented = documented_fields().find(GetParam());
  if (documented != documented_fields().end()) {
    for (const auto& key : documented->second) {
      EXPECT_TRUE(result.contains(key)) << GetParam() << " lacks documented field " << key;
    }
  }
}

TEST_P(AnalyzerContract, SidecarTextRoundTrips) {
  const nlohmann::json result = analyze(photo("messi5.jpg"));
  const std::string text = to_sidecar_text(result);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(nlohmann::json::parse(text), result);
}

TEST_P(AnalyzerContract, BrokenImagesGiveErrorJson) {
  const ByteVector jpeg = photo("messi5.jpg");
  expect_error(testing::truncated(jpeg, 0.6), ErrorCode::kInvalidArgument, "truncated jpeg");
  const ByteVector png = testing::encode(cv::imdecode(jpeg, cv::IMREAD_COLOR), ".png");
  expect_error(testing::corrupt_png(png), ErrorCode::kInvalidArgument, "corrupt png");
  expect_error(testing::png_header_only(100000, 100000), ErrorCode::kResourceExhausted,
               "oversized png header");
  expect_error(testing::gif_without_frames(), ErrorCode::kInvalidArgument, "gif without frames");
}

TEST_P(AnalyzerContract, IdenticalInputGivesIdenticalOutput) {
  const ByteVector bytes = photo("messi5.jpg");
  EXPECT_EQ(without_timing(analyze(bytes)), without_timing(analyze(bytes)));
}

TEST_P(AnalyzerContract, ConcurrentCallsAgreeWithSequentialOnes) {
  const ByteVector a = photo("messi5.jpg"), b = photo("squirrel_cls.jpg");
  const nlohmann::json expected_a = without_timing(analyze(a));
  const nlohmann::json expected_b = without_timing(analyze(b));
  nlohmann::json got_a, got_b;
  std::thread first([&] { got_a = without_timing(analyze(a)); });
  std::thread second([&] { got_b = without_timing(analyze(b)); });
  first.join();
  second.join();
  EXPECT_EQ(got_a, expected_a);
  EXPECT_EQ(got_b, expected_b);
}

TEST_P(AnalyzerContract, ScoresAreWithinZeroToOne) {
  for (const char* name : {"messi5.jpg", "squirrel_cls.jpg", "imageTextN.png"}) {
    const nlohmann::json result = analyze(photo(name));
    EXPECT_FALSE(result.contains("error")) << name << ": " << result.dump();
    expect_unit_intervals(result, name);
  }
}

INSTANTIATE_TEST_SUITE_P(AllAnalyzers, AnalyzerContract, ::testing::ValuesIn(all_analyzer_names()),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace visionfs::analysis
