#pragma once
// WeChat's CNN QR code reader (opencv_contrib wechat_qrcode): the QR engine
// of the codes analyzer when its four model files are installed
// (make_wechat_qr_reader in analysis/core/factories.h). It finds small, tilted
// and blurred codes that cv::QRCodeDetector misses; a detection CNN proposes
// code regions and a super-resolution CNN enlarges small ones before
// ZXing-derived decoding.
//
// Output: one DetectedCode per decoded QR code, symbology "QR_CODE", polygon
// = the four corners WeChat reports (pixels), engine "wechat-qrcode".
// Codes that are found but cannot be decoded are not reported.
//
// Thread-safety: cv::wechat_qrcode::WeChatQRCode keeps per-call state, so
// read() leases one instance per concurrent caller, created on first use.

#include "analysis/core/analysis_options.h"
#include "analysis/engines/detectors.h"
