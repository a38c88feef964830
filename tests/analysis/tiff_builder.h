#pragma once
// Writing TIFF files byte by byte, for the layouts the header guards must
// judge and no encoder at hand writes on purpose: duplicate or signed
// dimension tags, huge tiles, looping IFD chains, BigTIFF, orientations.
// Little-endian; one uncompressed strip per page.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace visionfs::testing {

namespace tiff {

inline constexpr std::uint16_t kByte = 1, kShort = 3, kLong = 4, kSShort = 8, kSLong = 9,
                               kLong8 = 16;

struct Field {
  std::uint16_t tag;
  std::uint16_t type;
  std::vector<std::uint64_t> values;
};

// One page: its fields in file order (duplicates allowed) and its strip.
// A StripOffsets field (273) is written pointing at `strip`, whatever value
// it was given.
struct Page {
  std::vector<Field> fields;
  std::vector<std::uint8_t> strip;
};

inline std::size_t type_size(std::uint16_t type) {
  switch (type) {
    case kShort: case kSShort: return 2;
    case kLong: case kSLong: return 4;
    case kLong8: return 8;
    default: return 1;
  }
}

class Writer {
 public:
  explicit Writer(bool big) : big_(big) {}
  std::vector<std::uint8_t>& bytes() { return out_; }
  std::size_t offset_size() const { return big_ ? 8 : 4; }

  void put(std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void patch(std::size_t at, std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out_[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  void align() {
    if (out_.size() & 1) out_.push_back(0);
  }

  // Writes an IFD at the end; returns where its "next IFD" offset sits.
  std::size_t ifd(const Page& page, std::uint64_t strip_offset) {
    const std::size_t entry_size = big_ ? 20 : 12;
    const std::size_t start = out_.size();
    const std::size_t header = big_ ? 8 : 2;
    std::size_t extra = start + header + page.fields.size() * entry_size + offset_size();
    put(page.fields.size(), header);
    std::vector<std::pair<std::size_t, const Field*>> spilled;
    for (const Field& field : page.fields) {
      put(field.tag, 2);
      put(field.type, 2);
      put(field.values.size(), offset_size());
      const std::size_t size = type_size(field.type) * field.values.size();
      if (size <= offset_size()) {
        std::size_t written = 0;
        for (std::uint64_t v : field.values) {
          put(field.tag == 273 ? strip_offset : v, type_size(field.type));
          written += type_size(field.type);
        }
        put(0, offset_size() - written);
      } else {
        put(extra, offset_size());
        spilled.emplace_back(extra, &field);
        extra += size + (size & 1);
      }
    }
    const std::size_t next_at = out_.size();
    put(0, offset_size());
    for (const auto& [at, field] : spilled) {
      for (std::uint64_t v : field->values) put(v, type_size(field->type));
      align();
    }
    return next_at;
  }

 private:
  bool big_;
  std::vector<std::uint8_t> out_;
};

}  // namespace tiff

// The pages in order; `loop` makes the last page's "next IFD" point back at
// the first, as a hostile file would.
inline std::vector<std::uint8_t> build_tiff(const std::vector<tiff::Page>& pages, bool big = false,
                                            bool loop = false) {
  tiff::Writer w(big);
  if (big) {
    w.bytes() = {'I', 'I', 43, 0, 8, 0, 0, 0};
  } else {
    w.bytes() = {'I', 'I', 42, 0};
  }
  const std::size_t first_link = w.bytes().size();
  w.put(0, w.offset_size());
  std::size_t link = first_link;
  std::size_t first_ifd = 0;
  for (const tiff::Page& page : pages) {
    const std::size_t strip = w.bytes().size();
    w.bytes().insert(w.bytes().end(), page.strip.begin(), page.strip.end());
    w.align();
    const std::size_t ifd = w.bytes().size();
    if (first_ifd == 0) first_ifd = ifd;
    w.patch(link, ifd, w.offset_size());
    link = w.ifd(page, strip);
  }
  if (loop) w.patch(link, first_ifd, w.offset_size());
  return std::move(w.bytes());
}

// An 8-bit RGB page of width x height in one strip, pixel (x, y) coloured
// (x * 255 / width, y * 255 / height, 128): a gradient whose orientation a
// test can read back. `dimension_type` is the type of the size tags;
// `extra` fields are appended after the standard ones.
inline tiff::Page rgb_page(std::uint32_t width, std::uint32_t height,
                           std::uint16_t dimension_type = tiff::kShort,
                           std::vector<tiff::Field> extra = {}) {
  using namespace tiff;
  Page page;
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      page.strip.push_back(static_cast<std::uint8_t>(x * 255 / width));
      page.strip.push_back(static_cast<std::uint8_t>(y * 255 / height));
      page.strip.push_back(128);
    }
  }
  page.fields = {
      {256, dimension_type, {width}},
      {257, dimension_type, {height}},
      {258, kShort, {8, 8, 8}},
      {259, kShort, {1}},
      {262, kShort, {2}},
      {273, kLong, {0}},
      {277, kShort, {3}},
      {278, kLong, {height}},
      {279, kLong, {page.strip.size()}},
  };
  page.fields.insert(page.fields.end(), extra.begin(), extra.end());
  // Tags in ascending order, as the specification asks; stable, so that
  // duplicates keep the order the caller gave them.
  std::stable_sort(page.fields.begin(), page.fields.end(),
                   [](const Field& a, const Field& b) { return a.tag < b.tag; });
  return page;
}

}  // namespace visionfs::testing
