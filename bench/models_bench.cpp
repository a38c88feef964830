// The model-based analyzers on messi5.jpg: each network's forward pass alone
// (the in-process baseline: what OpenCV costs before visionfs adds
// anything), the whole analyzer through run_analyzer (preprocessing,
// decoding, JSON, the envelope), and a cold call (factory, network load and
// the first analysis, as the first read of a sidecar after start-up pays).
//
// Models come from resolve_models_dir(""): run with
//   VISIONFS_MODELS=../shared/models ./bench/models_bench
// A benchmark whose model is missing reports an error and is skipped.

#include "analysis/decode/decode.h"
#include "analysis/core/factories.h"
#include "analysis/core/model_files.h"
#include "analysis/core/pipeline.h"

#include <benchmark/benchmark.h>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/wechat_qrcode.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace visionfs::analysis;

const char* const kPhotos = "/usr/share/doc/opencv-doc/examples";

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<std::uint8_t>& messi_bytes() {
  static const auto bytes = read_file(std::string(kPhotos) + "/data/messi5.jpg");
  return bytes;
}

const std::vector<std::uint8_t>& scene_text_bytes() {
  static const auto bytes = read_file(std::string(kPhotos) + "/text/scenetext01.jpg");
  return bytes;
}

AnalysisOptions options() {
  AnalysisOptions o;
  o.models_dir = resolve_models_dir("");
  return o;
}

bool have(benchmark::State& state, const std::string& relative) {
  if (std::filesystem::exists(options().models_dir / relative)) return true;
  state.SkipWithError(("model not installed: " + relative + " (set VISIONFS_MODELS)").c_str());
  return false;
}

// --- forward pass alone -----------------------------------------------------

void forward_loop(benchmark::State& state, const std::string& relative, const cv::Mat& blob,
                  const std::vector<std::string>& outputs = {}) {
  if (!have(state, relative)) return;
  cv::dnn::Net net = cv::dnn::readNet((options().models_dir / relative).string());
  std::vector<cv::Mat> outs;
  for (auto _ : state) {
    net.setInput(blob);
    if (outputs.empty()) {
      benchmark::DoNotOptimize(net.forward());
    } else {
      net.forward(outs, outputs);
    }
  }
}

cv::Mat messi() { return cv::imread(std::string(kPhotos) + "/data/messi5.jpg"); }

void BM_Forward_Yolox(benchmark::State& state) {
  cv::Mat canvas(416, 416, CV_8UC3, cv::Scalar::all(114)), m = messi(), top_left;
  const double r = std::min(416.0 / m.cols, 416.0 / m.rows);
  top_left = canvas(cv::Rect(0, 0, static_cast<int>(m.cols * r), static_cast<int>(m.rows * r)));
  cv::resize(m, top_left, top_left.size());
  forward_loop(state, "objects/yolox_nano.onnx", cv::dnn::blobFromImage(canvas));
}

void BM_Forward_MobileNetV2(benchmark::State& state) {
  forward_loop(state, "classify/mobilenetv2-12-int8.onnx",
               cv::dnn::blobFromImage(messi(), 1 / 255.0, cv::Size(224, 224), cv::Scalar(), true));
}

void BM_Forward_Nsfw(benchmark::State& state) {
  forward_loop(state, "nsfw/nsfwjs_mobilenet_v2_224.onnx",
               cv::dnn::blobFromImage(messi(), 1 / 255.0, cv::Size(224, 224), cv::Scalar(), true));
}

void BM_Forward_Yunet2023(benchmark::State& state) {
  cv::Mat padded;
  const cv::Mat m = messi();
  cv::copyMakeBorder(m, padded, 0, (m.rows + 31) / 32 * 32 - m.rows, 0, (m.cols + 31) / 32 * 32 - m.cols,
                     cv::BORDER_CONSTANT);
  forward_loop(state, "face/face_detection_yunet_2023mar.onnx", cv::dnn::blobFromImage(padded),
               {"cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16", "bbox_32", "kps_8",
                "kps_16", "kps_32"});
}

void BM_Forward_PpocrDetection(benchmark::State& state) {
  forward_loop(state, "text/en_PP-OCRv3_det_cv46.onnx",
               cv::dnn::blobFromImage(messi(), 1 / 255.0, cv::Size(544, 352)));
}

// One word: the recogniser runs once per text region.
void BM_Forward_PpocrRecognition(benchmark::State& state) {
  cv::Mat word(32, 320, CV_8UC3, cv::Scalar::all(255));
  cv::putText(word, "PARKING", cv::Point(4, 26), cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar::all(0), 2);
  forward_loop(state, "text/en_number_mobile_v2.0_rec_cv46.onnx",
               cv::dnn::blobFromImage(word, 1 / 127.5, cv::Size(), cv::Scalar::all(127.5)));
}

// WeChat's two CNNs are internal to the library: its own detectAndDecode
// call is the baseline.
void BM_Forward_WeChatQr(benchmark::State& state) {
  if (!have(state, "wechat_qrcode/detect.caffemodel")) return;
  const auto dir = options().models_dir / "wechat_qrcode";
  cv::wechat_qrcode::WeChatQRCode reader((dir / "detect.prototxt").string(), (dir / "detect.caffemodel").string(),
                                         (dir / "sr.prototxt").string(), (dir / "sr.caffemodel").string());
  const cv::Mat m = messi();
  for (auto _ : state) benchmark::DoNotOptimize(reader.detectAndDecode(m));
}

// --- the whole analyzer -----------------------------------------------------

using Factory = std::function<AnalyzerPtr()>;

void warm_loop(benchmark::State& state, const std::string& relative, const Factory& factory,
               const std::vector<std::uint8_t>& bytes) {
  if (!have(state, relative)) return;
  const auto analyzer = factory();
  const auto image = decode_image(bytes, DecodeLimits{});
  run_analyzer(*analyzer, bytes, *image);  // loads the network
  for (auto _ : state) benchmark::DoNotOptimize(run_analyzer(*analyzer, bytes, *image));
}

// Factory, lazy network load and first analysis, every iteration.
void cold_loop(benchmark::State& state, const std::string& relative, const Factory& factory,
               const std::vector<std::uint8_t>& bytes) {
  if (!have(state, relative)) return;
  const auto image = decode_image(bytes, DecodeLimits{});
  for (auto _ : state) {
    const auto analyzer = factory();
    benchmark::DoNotOptimize(run_analyzer(*analyzer, bytes, *image));
  }
}

AnalyzerPtr objects() { return make_objects_analyzer(options()); }
AnalyzerPtr labels() { return make_labels_analyzer(options()); }
AnalyzerPtr safe() { return make_safe_analyzer(options()); }
AnalyzerPtr faces() { return make_faces_analyzer(make_yunet_face_detector(options())); }
AnalyzerPtr text() { return make_text_analyzer({make_ppocr_engine(options())}); }
AnalyzerPtr codes() { return make_codes_analyzer({make_wechat_qr_reader(options())}); }

#define VISIONFS_ANALYZER_BENCH(Name, model, factory, bytes)                                          \
  void BM_Analyzer_##Name(benchmark::State& state) { warm_loop(state, model, factory, bytes()); }    \
  void BM_Cold_##Name(benchmark::State& state) { cold_loop(state, model, factory, bytes()); }        \
  BENCHMARK(BM_Analyzer_##Name)->Unit(benchmark::kMillisecond)->MinTime(2.0);                         \
  BENCHMARK(BM_Cold_##Name)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK(BM_Forward_Yolox)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Forward_MobileNetV2)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Forward_Nsfw)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Forward_Yunet2023)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Forward_PpocrDetection)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Forward_PpocrRecognition)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Forward_WeChatQr)->Unit(benchmark::kMillisecond)->MinTime(2.0);

VISIONFS_ANALYZER_BENCH(Objects, "objects/yolox_nano.onnx", objects, messi_bytes)
VISIONFS_ANALYZER_BENCH(Labels, "classify/mobilenetv2-12-int8.onnx", labels, messi_bytes)
VISIONFS_ANALYZER_BENCH(Safe, "nsfw/nsfwjs_mobilenet_v2_224.onnx", safe, messi_bytes)
VISIONFS_ANALYZER_BENCH(FacesYunet, "face/face_detection_yunet_2023mar.onnx", faces, messi_bytes)
VISIONFS_ANALYZER_BENCH(TextPpocr, "text/en_PP-OCRv3_det_cv46.onnx", text, messi_bytes)
VISIONFS_ANALYZER_BENCH(TextPpocrSceneText01, "text/en_PP-OCRv3_det_cv46.onnx", text, scene_text_bytes)
VISIONFS_ANALYZER_BENCH(CodesWeChat, "wechat_qrcode/detect.caffemodel", codes, messi_bytes)

}  // namespace

BENCHMARK_MAIN();
