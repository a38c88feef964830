#include "analysis/core/pipeline.h"

#include "analysis/core/factories.h"
#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>

namespace visionfs::analysis {
namespace {

using testing::ByteVector;

// An analyzer whose analyze() is a given function: the input the pipeline
// is tested with (the pipeline is the component under test, not this).
class FunctionAnalyzer final : public Analyzer {
 public:
  explicit FunctionAnalyzer(std::function<nlohmann::json()> body) : body_(std::move(body)) {}
  std::string name() const override { return "probe"; }
  std::string version() const override { return "7"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 1, 0);
  }
  nlohmann::json analyze(const AnalysisInput&) const override { return body_(); }

 private:
  std::function<nlohmann::json()> body_;
};

ByteVector messi() { return testing::read_bytes(testing::opencv_doc_image("messi5.jpg")); }

void expect_error(const nlohmann::json& result, ErrorCode code, const std::string& message_part) {
  EXPECT_EQ(result.size(), 3u) << result.dump();
  EXPECT_EQ(result["analyzer"], "probe");
  EXPECT_EQ(result["version"], "7");
  ASSERT_TRUE(result["error"].is_object());
  EXPECT_EQ(result["error"].size(), 2u);
  EXPECT_EQ(result["error"]["code"], static_cast<int>(code));
  EXPECT_NE(result["error"]["message"].get<std::string>().find(message_part), std::string::npos)
      << result.dump();
}

TEST(Pipeline, SuccessWrapsFieldsInTheEnvelope) {
  const ByteVector bytes = messi();
  const auto image = decode_image(bytes, {});
  FunctionAnalyzer analyzer([] { return nlohmann::json{{"answer", 42}, {"width", -1}}; });
  const nlohmann::json result = run_analyzer(analyzer, bytes, *image);
  EXPECT_EQ(result["analyzer"], "probe");
  EXPECT_EQ(result["version"], "7");
  EXPECT_EQ(result["width"], 548);  // the envelope wins over an analyzer's field
  EXPECT_EQ(result["height"], 342);
  ASSERT_TRUE(result["elapsedMs"].is_number_float());
  EXPECT_GE(result["elapsedMs"].get<double>(), 0.0);
  EXPECT_EQ(result["answer"], 42);
  EXPECT_FALSE(result.contains("error"));
  EXPECT_EQ(result.size(), 6u);
}

TEST(Pipeline, EveryExceptionBecomesErrorJson) {
  const ByteVector bytes = messi();
  const auto image = decode_image(bytes, {});
  expect_error(run_analyzer(FunctionAnalyzer([]() -> nlohmann::json {
                              throw AnalysisError(ErrorCode::kUnavailable, "model gone");
                            }),
                            bytes, *image),
               ErrorCode::kUnavailable, "model gone");
  expect_error(run_analyzer(FunctionAnalyzer([]() -> nlohmann::json {
                              throw std::runtime_error("boom");
                            }),
                            bytes, *image),
               ErrorCode::kInternal, "boom");
  expect_error(run_analyzer(FunctionAnalyzer([]() -> nlohmann::json {
                              cv::Mat empty;
                              return cv::mean(empty.row(3))[0];  // throws cv::Exception
                            }),
                            bytes, *image),
               ErrorCode::kInternal, "");
  expect_error(run_analyzer(FunctionAnalyzer([]() -> nlohmann::json { throw 17; }), bytes, *image),
               ErrorCode::kInternal, "unknown");
  expect_error(run_analyzer(FunctionAnalyzer([] { return nlohmann::json::array(); }), bytes, *image),
               ErrorCode::kInternal, "non-object");
}

TEST(Pipeline, AnalyzeBytesReportsDecodeErrors) {
  FunctionAnalyzer analyzer([] { return nlohmann::json::object(); });
  expect_error(analyze_bytes(analyzer, testing::truncated(messi(), 0.5), {}), ErrorCode::kInvalidArgument,
               "truncated");
  expect_error(analyze_bytes(analyzer, testing::png_header_only(100000, 100000), {}),
               ErrorCode::kResourceExhausted, "100000x100000");
  expect_error(analyze_bytes(analyzer, testing::gif_without_frames(), {}), ErrorCode::kInvalidArgument,
               "no frames");
  const std::string exr("\x76\x2F\x31\x01\x02\0\0\0", 8);
  expect_error(analyze_bytes(analyzer, ByteVector(exr.begin(), exr.end()), {}), ErrorCode::kUnimplemented,
               "unsupported image format: exr (OpenCV reads it only through a temporary file)");
  const nlohmann::json ok = analyze_bytes(analyzer, messi(), {});
  EXPECT_EQ(ok["width"], 548);
  EXPECT_FALSE(ok.contains("error"));
}

TEST(Pipeline, ErrorResultShape) {
  FunctionAnalyzer analyzer([] { return nlohmann::json::object(); });
  const nlohmann::json result = error_result(analyzer, ErrorCode::kUnavailable, "model not installed");
  expect_error(result, ErrorCode::kUnavailable, "model not installed");
  EXPECT_EQ(result["error"]["code"], 14);
}

TEST(Pipeline, SidecarTextIsIndentedWithTrailingNewline) {
  const nlohmann::json result = {{"analyzer", "probe"}, {"list", {1, 2}}};
  const std::string text = to_sidecar_text(result);
  EXPECT_EQ(text, "{\n  \"analyzer\": \"probe\",\n  \"list\": [\n    1,\n    2\n  ]\n}\n");
  EXPECT_EQ(nlohmann::json::parse(text), result);
}

TEST(Pipeline, SidecarTextSurvivesInvalidUtf8) {
  const nlohmann::json result = {{"text", std::string("caf\xE9")}};
  const std::string text = to_sidecar_text(result);
  EXPECT_EQ(nlohmann::json::parse(text)["text"], "caf\xEF\xBF\xBD");
}

TEST(Pipeline, RealAnalyzerThroughAnalyzeBytes) {
  const auto colors = make_colors_analyzer({});
  const nlohmann::json result = analyze_bytes(*colors, messi(), {});
  EXPECT_EQ(result["analyzer"], "colors");
  EXPECT_TRUE(result.contains("dominantColors"));
}

}  // namespace
}  // namespace visionfs::analysis
