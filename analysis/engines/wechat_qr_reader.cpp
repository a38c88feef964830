#include "analysis/engines/wechat_qr_reader.h"

#include "analysis/engines/dnn_net_pool.h"
#include "analysis/core/factories.h"
#include "analysis/core/model_files.h"

#include <opencv2/wechat_qrcode.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

using WeChatPool = InstancePool<cv::wechat_qrcode::WeChatQRCode>;

class WeChatQrReader final : public CodeReader {
 public:
  explicit WeChatQrReader(std::unique_ptr<WeChatPool> readers) : readers_(std::move(readers)) {}

  std::string name() const override { return "wechat-qrcode"; }

  std::vector<DetectedCode> read(const cv::Mat& bgr) const override {
    std::vector<cv::Mat> corners;
    std::vector<std::string> payloads;
    {
      auto reader = readers_->acquire();
      payloads = reader->detectAndDecode(bgr, corners);
    }
    std::vector<DetectedCode> codes;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      DetectedCode code;
      code.payload = payloads[i];
      code.symbology = "QR_CODE";
      code.engine = "wechat-qrcode";
      if (i < corners.size()) {
        // A 4x2 float matrix: one (x, y) corner per row.
        const cv::Mat& m = corners[i];
        for (int r = 0; r < m.rows; ++r) {
          code.polygon.emplace_back(std::clamp(m.at<float>(r, 0), 0.0f, static_cast<float>(bgr.cols)),
                                    std::clamp(m.at<float>(r, 1), 0.0f, static_cast<float>(bgr.rows)));
        }
      }
      codes.push_back(std::move(code));
    }
    return codes;
  }

 private:
  std::unique_ptr<WeChatPool> readers_;
};

}  // namespace

CodeReaderPtr make_wechat_qr_reader(const AnalysisOptions& options) {
  const std::string detect_proto = require_model_file(options, "wechat_qrcode/detect.prototxt").string();
  const std::string detect_model = require_model_file(options, "wechat_qrcode/detect.caffemodel").string();
  const std::string sr_proto = require_model_file(options, "wechat_qrcode/sr.prototxt").string();
  const std::string sr_model = require_model_file(options, "wechat_qrcode/sr.caffemodel").string();
  auto pool = std::make_unique<WeChatPool>([=] {
    try {
      return std::make_unique<cv::wechat_qrcode::WeChatQRCode>(detect_proto, detect_model, sr_proto, sr_model);
    } catch (const cv::Exception& e) {
      throw AnalysisError(ErrorCode::kUnavailable, std::string("model failed to load: wechat_qrcode: ") + e.err);
    }
  });
  return std::make_shared<WeChatQrReader>(std::move(pool));
}

}  // namespace visionfs::analysis
