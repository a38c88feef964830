#include "analysis/engines/dnn_net_pool.h"

#include "analysis/core/analyzer.h"

namespace visionfs::analysis {

std::unique_ptr<cv::dnn::Net> load_dnn_net(const std::filesystem::path& model,
                                           const std::filesystem::path& config, LayerFusion fusion) {
  try {
    auto net = std::make_unique<cv::dnn::Net>(cv::dnn::readNet(model.string(), config.string()));
    if (net->empty()) throw cv::Exception(cv::Error::StsError, "empty network", __func__, __FILE__, __LINE__);
    net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    net->enableFusion(fusion == LayerFusion::kOn);
    return net;
  } catch (const cv::Exception& e) {
    // Only the file name: the message goes into a sidecar, and the models
    // directory is the user's business.
    throw AnalysisError(ErrorCode::kUnavailable,
                        "model failed to load: " + model.filename().string() + ": " + e.err);
  }
}

std::unique_ptr<NetPool> make_net_pool(const std::filesystem::path& model, LayerFusion fusion) {
  return std::make_unique<NetPool>([model, fusion] { return load_dnn_net(model, {}, fusion); });
}

}  // namespace visionfs::analysis
