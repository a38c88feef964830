#pragma once
// Writing real GIFs in memory with giflib's encoder, for the decoder tests.

#include "image_builders.h"

#include <gif_lib.h>

#include <opencv2/core.hpp>

#include <stdexcept>
#include <vector>

namespace visionfs::testing {

struct GifFrame {
  cv::Mat indices;  // CV_8U palette indices
  int left = 0, top = 0;
  int transparent = NO_TRANSPARENT_COLOR;
  bool interlace = false;
};

// palette: RGB entries, a power of two in number (2..256).
inline ByteVector make_gif(int width, int height, const std::vector<cv::Vec3b>& palette,
                           const std::vector<GifFrame>& frames) {
  ByteVector out;
  auto write = [](GifFileType* gif, const GifByteType* data, int length) {
    auto* sink = static_cast<ByteVector*>(gif->UserData);
    sink->insert(sink->end(), data, data + length);
    return length;
  };
  int error = 0;
  GifFileType* gif = EGifOpen(&out, write, &error);
  if (gif == nullptr) throw std::runtime_error("EGifOpen failed");
  EGifSetGifVersion(gif, true);
  std::vector<GifColorType> colours;
  for (const auto& rgb : palette) colours.push_back({rgb[0], rgb[1], rgb[2]});
  ColorMapObject* map = GifMakeMapObject(static_cast<int>(colours.size()), colours.data());
  bool ok = EGifPutScreenDesc(gif, width, height, 8, 0, map) == GIF_OK;
  for (const auto& frame : frames) {
    GraphicsControlBlock control{};
    control.DisposalMode = DISPOSAL_UNSPECIFIED;
    control.DelayTime = 10;
    control.TransparentColor = frame.transparent;
    GifByteType extension[4];
    const auto length = EGifGCBToExtension(&control, extension);
    ok = ok && EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension) == GIF_OK;
    ok = ok && EGifPutImageDesc(gif, frame.left, frame.top, frame.indices.cols, frame.indices.rows,
                                frame.interlace, nullptr) == GIF_OK;
    std::vector<int> rows;
    if (frame.interlace) {
      for (int pass = 0; pass < 4; ++pass) {
        const int start[] = {0, 4, 2, 1}, step[] = {8, 8, 4, 2};
        for (int r = start[pass]; r < frame.indices.rows; r += step[pass]) rows.push_back(r);
      }
    } else {
      for (int r = 0; r < frame.indices.rows; ++r) rows.push_back(r);
    }
    for (int r : rows) {
      cv::Mat row = frame.indices.row(r).clone();
      ok = ok && EGifPutLine(gif, row.ptr<GifPixelType>(), row.cols) == GIF_OK;
    }
  }
  GifFreeMapObject(map);
  ok = EGifCloseFile(gif, &error) == GIF_OK && ok;
  if (!ok) throw std::runtime_error("writing the GIF failed");
  return out;
}

}  // namespace visionfs::testing
