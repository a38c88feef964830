// Extended attributes in the user.* namespace (KDE's user.xdg.tags,
// user.xdg.comment, user.baloo.rating...). A missing name is ENODATA, which
// KDE's probe needs (not ENOTSUP). Images also carry user.xdg.tags and
// user.xdg.comment computed from their analysis (sidecars/desktop_tags.h)
// unless the user set them or -o tags=off.

#include "fs/control_nodes.h"
#include "fs/evictor.h"
#include "fs/filesystem.h"
#include "fs/ops.h"
#include "fs/reply.h"
#include "fs/sidecar_replies.h"
#include "sidecars/desktop_tags.h"
#include "sidecars/scheduler.h"

#include <algorithm>
#include <string>
#include <vector>

namespace visionfs::fs {
namespace {

// The image behind `ino` when it gets desktop attributes (-o tags=on).
cache::NodePtr desktop_image(Filesystem& fs, fuse_ino_t ino) {
  if (!fs.options().desktop_tags || !fs.scheduler()) return nullptr;
  auto node = fs.tree().find(ino);
  return node && fs.tree().is_image_file(node) ? node : nullptr;
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  answer(req, "setxattr", [&] {
    if (is_control(ino)) return EACCES;
    auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(value), size);
    return filesystem_of(req).tree().setxattr(ino, name, bytes, flags);
  });
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  answer(req, "getxattr", [&] {
    if (is_control(ino)) return ENODATA;
    if (ino == cache::kRootIno && std::string_view(name) == kEvictorProbeXattr) {
      // Only our own evictor gets an answer: proof that the directory it
      // opened is this mount (fs/evictor.h). Everyone else sees no such name.
      auto nonce = filesystem_of(req).evictor_probe(req);
      if (!nonce) return ENODATA;
      return reply_xattr_sized(req, size, nonce->data(), nonce->size());
    }
    auto& fs = filesystem_of(req);
    std::vector<std::uint8_t> value;
    const int err = fs.tree().getxattr(ino, name, &value);
    if (err == ENODATA && sidecars::is_desktop_xattr(name)) {
      // Not set by the user: computed from NAME.json, waiting for it as a
      // read of it would (listing the names computes nothing).
      if (auto image = desktop_image(fs, ino)) {
        if (auto combined = fs.tree().sidecar_of(image, cache::kCombinedSidecar)) {
          fs.scheduler()->request(combined, desktop_xattr_waiter(req, name, size));
          return kReplied;
        }
      }
    }
    if (err) return err;
    return reply_xattr_sized(req, size, reinterpret_cast<const char*>(value.data()), value.size());
  });
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  answer(req, "listxattr", [&] {
    std::vector<std::string> names;
    if (!is_control(ino)) {
      auto& fs = filesystem_of(req);
      if (int err = fs.tree().listxattr(ino, &names)) return err;
      if (desktop_image(fs, ino)) {
        for (std::string_view desktop : {sidecars::kTagsXattr, sidecars::kCommentXattr}) {
          if (std::find(names.begin(), names.end(), desktop) == names.end()) names.emplace_back(desktop);
        }
      }
    }
    std::string list;
    for (const auto& n : names) list.append(n).push_back('\0');
    return reply_xattr_sized(req, size, list.data(), list.size());
  });
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  answer(req, "removexattr", [&] {
    if (is_control(ino)) return EACCES;
    return filesystem_of(req).tree().removexattr(ino, name);
  });
}

}  // namespace

void add_xattr_operations(fuse_lowlevel_ops& ops) {
  ops.setxattr = op_setxattr;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.removexattr = op_removexattr;
}

}  // namespace visionfs::fs
