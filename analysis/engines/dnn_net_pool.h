#pragma once
// Networks for the model-based analyzers: loading a cv::dnn::Net, and a pool
// (analysis/engines/instance_pool.h) that lends one Net per concurrent caller,
// loaded lazily, because cv::dnn::Net is not thread-safe.
//
// Thread-safety: load_dnn_net is reentrant; a NetPool's acquire() is
// thread-safe and each lease is one thread's alone.
//
// Why one net per concurrent caller instead of one net behind a mutex:
// measured on the 2-core dev machine with two threads running YOLOX-nano on
// messi5.jpg, one net per thread gave 29.4 images/s against 22.7 for one
// shared net behind a mutex (MobileNetV2 int8: 69 against 61); docs/models.md
// has the full table. A net is created on the first acquire() that finds no
// idle one, so a daemon that never reads an objects sidecar never loads
// YOLOX, and a pool never holds more nets than the number of analysis
// workers that ran it at once.
//
// OpenCV's own threads: left at OpenCV's default (TBB, one thread per core)
// rather than cv::setNumThreads(1) per worker. With both workers busy,
// setNumThreads(1) was only about 7% faster (31.7 against 34.0 ms per image
// for YOLOX), but a single request on an idle daemon, the common case of one
// `cat`, was 1.45 times slower (64 against 44 ms).

#include "analysis/engines/instance_pool.h"

#include <opencv2/dnn.hpp>

#include <filesystem>
#include <memory>

namespace visionfs::analysis {

using NetPool = InstancePool<cv::dnn::Net>;

// Whether OpenCV may fuse layers (BatchNorm, a bias Add, an activation) into
// the convolution before them. kOff for a network whose input size changes
// from image to image and that contains ConvTranspose: OpenCV 4.6 fuses again
// at every reshape, so once a net has seen a second input size its
// Deconvolution output is wrong (the PP-OCR detector stopped finding the text
// on messi5.jpg's shirt after one squirrel_cls.jpg). Without fusion the
// result is bit-identical whatever came before, for about 5% more time.
enum class LayerFusion { kOn, kOff };

// Reads a network file (ONNX, or Caffe with its prototxt) for the CPU
// backend. Throws AnalysisError(kUnavailable) when OpenCV cannot load it,
// which surfaces in the sidecar of the image that triggered the load.
std::unique_ptr<cv::dnn::Net> load_dnn_net(const std::filesystem::path& model,
                                           const std::filesystem::path& config = {},
                                           LayerFusion fusion = LayerFusion::kOn);

// A pool whose instances are load_dnn_net(model, {}, fusion).
std::unique_ptr<NetPool> make_net_pool(const std::filesystem::path& model, LayerFusion fusion = LayerFusion::kOn);

}  // namespace visionfs::analysis
