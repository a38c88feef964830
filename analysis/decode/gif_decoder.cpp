#include "analysis/decode/gif_decoder.h"

#include "analysis/core/errors.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

struct MemoryReader {
  std::span<const std::uint8_t> bytes;
  std::size_t position = 0;
};

// giflib's input callback: copies from the caller's buffer, so no file is
// ever opened. A short count tells giflib the data ended.
int read_from_memory(GifFileType* gif, GifByteType* out, int wanted) {
  auto* reader = static_cast<MemoryReader*>(gif->UserData);
  const std::size_t available = reader->bytes.size() - reader->position;
  const std::size_t n = std::min(available, static_cast<std::size_t>(std::max(wanted, 0)));
  std::memcpy(out, reader->bytes.data() + reader->position, n);
  reader->position += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

[[noreturn]] void fail(const char* what, int error) {
  const char* reason = GifErrorString(error);
  throw AnalysisError(ErrorCode::kInvalidArgument,
                      std::string("corrupt or truncated gif data: ") + what +
                          (reason ? std::string(" (") + reason + ")" : std::string()));
}

// Reads one extension record; a graphics control block sets the
// transparent colour index of the frame that follows.
void read_extension(GifFileType* gif, int* transparent) {
  int code = 0;
  GifByteType* block = nullptr;
  if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) fail("bad extension", gif->Error);
  if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr && block[0] >= 4) {
    GraphicsControlBlock control;
    if (DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK) *transparent = control.TransparentColor;
  }
  while (block != nullptr) {
    if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) fail("bad extension", gif->Error);
  }
}

}  // namespace

cv::Mat decode_gif_first_frame(std::span<const std::uint8_t> bytes, const ImageHeader& header) {
  MemoryReader reader{bytes};
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&reader, read_from_memory, &error));
  if (!gif) fail("cannot open", error);

  int transparent = NO_TRANSPARENT_COLOR;
  for (;;) {
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &type) == GIF_ERROR) fail("bad record", gif->Error);
    if (type == TERMINATE_RECORD_TYPE) fail("no frames", D_GIF_ERR_NO_IMAG_DSCR);
    if (type == EXTENSION_RECORD_TYPE) {
      read_extension(gif.get(), &transparent);
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;

    if (DGifGetImageDesc(gif.get()) == GIF_ERROR) fail("bad image descriptor", gif->Error);
    const GifImageDesc& desc = gif->Image;
    if (desc.Width != header.gif_width || desc.Height != header.gif_height ||
        desc.Left != header.gif_left || desc.Top != header.gif_top) {
      fail("frame differs from header", D_GIF_ERR_NO_IMAG_DSCR);
    }
    const ColorMapObject* palette = desc.ColorMap ? desc.ColorMap : gif->SColorMap;
    if (palette == nullptr) fail("no colour table", D_GIF_ERR_NO_COLOR_MAP);

    cv::Mat canvas(header.height, header.width, CV_8UC3, cv::Scalar::all(255));
    std::vector<GifPixelType> line(static_cast<std::size_t>(desc.Width));
    // Interlaced frames arrive in four passes: rows 0,8,16..; 4,12..; 2,6..; 1,3..
    static constexpr int kPassStart[] = {0, 4, 2, 1};
    static constexpr int kPassStep[] = {8, 8, 4, 2};
    const int passes = desc.Interlace ? 4 : 1;
    for (int pass = 0; pass < passes; ++pass) {
      const int start = desc.Interlace ? kPassStart[pass] : 0;
      const int step = desc.Interlace ? kPassStep[pass] : 1;
      for (int row = start; row < desc.Height; row += step) {
        if (DGifGetLine(gif.get(), line.data(), desc.Width) == GIF_ERROR) {
          fail("frame data", gif->Error);
        }
        auto* out = canvas.ptr<cv::Vec3b>(desc.Top + row) + desc.Left;
        for (int x = 0; x < desc.Width; ++x) {
          const int index = line[static_cast<std::size_t>(x)];
          if (index == transparent) continue;
          if (index >= palette->ColorCount) {
            out[x] = cv::Vec3b(0, 0, 0);  // out-of-palette index: browsers draw black
            continue;
          }
          const GifColorType& c = palette->Colors[index];
          out[x] = cv::Vec3b(c.Blue, c.Green, c.Red);
        }
      }
    }
    return canvas;
  }
}

}  // namespace visionfs::analysis
