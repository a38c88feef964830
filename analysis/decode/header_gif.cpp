// The GIF header: dimensions, channels and depth without decoding.

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <cstdlib>

namespace visionfs::analysis::header {

namespace {

// Skips a run of GIF data sub-blocks (length byte, data, ..., 0).
// Returns the position after the terminator, or 0 when the data ends first.
std::size_t skip_sub_blocks(Bytes b, std::size_t pos) {
  while (pos < b.size()) {
    const std::size_t length = b[pos];
    if (length == 0) return pos + 1;
    pos += 1 + length;
  }
  return 0;
}

}  // namespace

ImageHeader gif_header(Bytes b) {
  if (!has(b, 6, 7)) corrupt("gif", "logical screen descriptor missing");
  const int screen_width = static_cast<int>(le16(b, 6));
  const int screen_height = static_cast<int>(le16(b, 8));
  const std::uint8_t flags = b[10];
  std::size_t pos = 13;
  if (flags & 0x80) pos += 3u * (2u << (flags & 0x07));  // global colour table

  ImageHeader h;
  h.channels = 3;
  h.frame_count = 0;
  bool pending_transparency = false;
  // Walks every block, so the frame count is known without decoding any LZW
  // data. A truncated tail ends the walk; frames complete so far still count.
  while (pos < b.size()) {
    const std::uint8_t introducer = b[pos];
    if (introducer == 0x3B) break;  // trailer
    if (introducer == 0x21) {       // extension
      if (!has(b, pos, 2)) break;
      const std::uint8_t label = b[pos + 1];
      if (label == 0xF9 && has(b, pos, 8) && b[pos + 2] >= 4) {
        pending_transparency = (b[pos + 3] & 0x01) != 0;
      }
      const std::size_t next = skip_sub_blocks(b, pos + 2);
      if (next == 0) break;
      pos = next;
    } else if (introducer == 0x2C) {  // image descriptor
      if (!has(b, pos, 10)) break;
      const int left = static_cast<int>(le16(b, pos + 1));
      const int top = static_cast<int>(le16(b, pos + 3));
      const int width = static_cast<int>(le16(b, pos + 5));
      const int height = static_cast<int>(le16(b, pos + 7));
      const std::uint8_t image_flags = b[pos + 9];
      std::size_t data = pos + 10;
      if (image_flags & 0x80) data += 3u * (2u << (image_flags & 0x07));  // local colour table
      const std::size_t next = data < b.size() ? skip_sub_blocks(b, data + 1) : 0;
      if (h.frame_count == 0) {
        h.gif_left = left;
        h.gif_top = top;
        h.gif_width = width;
        h.gif_height = height;
        h.has_alpha = pending_transparency;
      }
      ++h.frame_count;
      if (next == 0) break;  // the frame's data is cut short
      pos = next;
      pending_transparency = false;
    } else {
      break;  // garbage after the last frame: browsers stop here too
    }
  }
  if (h.frame_count == 0) corrupt("gif", "no frames");
  if (h.gif_width == 0 || h.gif_height == 0) corrupt("gif", "first frame is empty");
  if (h.has_alpha) h.channels = 4;
  // Browsers draw frames on the logical screen; a frame reaching outside it
  // grows the canvas rather than being cut (and some encoders write 0x0).
  h.width = std::max(screen_width, h.gif_left + h.gif_width);
  h.height = std::max(screen_height, h.gif_top + h.gif_height);
  return h;
}

}  // namespace visionfs::analysis::header
