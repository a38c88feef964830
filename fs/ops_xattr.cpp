// Extended attributes in the user.* namespace (KDE's user.xdg.tags,
// user.xdg.comment, user.baloo.rating...). A missing name is ENODATA, which
// KDE's probe needs (not ENOTSUP).

#include "fs/control_nodes.h"
#include "fs/evictor.h"
#include "fs/filesystem.h"
#include "fs/ops.h"
#include "fs/reply.h"

#include <string>
#include <vector>

namespace visionfs::fs {
namespace {

// getxattr/listxattr protocol: size 0 asks for the length only; a buffer
// too small is ERANGE.
int reply_sized(fuse_req_t req, size_t size, const char* data, size_t length) {
  if (size == 0) return fuse_reply_xattr(req, length), kReplied;
  if (size < length) return ERANGE;
  return fuse_reply_buf(req, data, length), kReplied;
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
      return reply_sized(req, size, nonce->data(), nonce->size());
    }
    std::vector<std::uint8_t> value;
    if (int err = filesystem_of(req).tree().getxattr(ino, name, &value)) return err;
    return reply_sized(req, size, reinterpret_cast<const char*>(value.data()), value.size());
  });
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  answer(req, "listxattr", [&] {
    std::vector<std::string> names;
    if (!is_control(ino)) {
      if (int err = filesystem_of(req).tree().listxattr(ino, &names)) return err;
    }
    std::string list;
    for (const auto& n : names) list.append(n).push_back('\0');
    return reply_sized(req, size, list.data(), list.size());
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
