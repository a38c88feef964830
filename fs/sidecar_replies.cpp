#include "fs/sidecar_replies.h"

#include "fs/reply.h"
#include "sidecars/desktop_tags.h"

#include <nlohmann/json.hpp>

namespace visionfs::fs {

sidecars::Waiter attr_waiter(fuse_req_t req) {
  return sidecars::Waiter([req](const sidecars::Outcome& outcome) {
    answer(req, "getattr", [&] {
      if (outcome.error) return outcome.error;
      return fuse_reply_attr(req, &outcome.attr, kSidecarTimeout), kReplied;
    });
  });
}

sidecars::Waiter open_waiter(fuse_req_t req, const fuse_file_info& fi) {
  return sidecars::Waiter([req, fi](const sidecars::Outcome& outcome) {
    answer(req, "open", [&] {
      if (outcome.error) return outcome.error;
      fuse_file_info info = fi;
      return reply_open(req, filesystem_of(req), outcome.sidecar, &info);
    });
  });
}

sidecars::Waiter desktop_xattr_waiter(fuse_req_t req, std::string name, size_t size) {
  return sidecars::Waiter([req, name = std::move(name), size](const sidecars::Outcome& outcome) {
    answer(req, "getxattr", [&] {
      if (outcome.error) return outcome.error;
      const auto result = filesystem_of(req).tree().sidecar_result(outcome.sidecar);
      if (!result) return EIO;
      const auto* text = reinterpret_cast<const char*>(result->data());
      const auto doc = nlohmann::json::parse(text, text + result->size(), nullptr, false);
      const std::string value =
          name == sidecars::kTagsXattr ? sidecars::desktop_tags(doc) : sidecars::desktop_comment(doc);
      // No confident label is an empty list of tags, not a missing
      // attribute: listxattr named it, so `getfattr -d` would otherwise
      // report "No such attribute" for a name it was just given.
      return reply_xattr_sized(req, size, value.data(), value.size());
    });
  });
}

int reply_open(fuse_req_t req, Filesystem& fs, const cache::NodePtr& node, fuse_file_info* fi) {
  cache::OpenResult opened;
  if (int err = fs.tree().open(node, fi->flags, &opened)) return err;
  fi->fh = fs.files().add(std::make_shared<FileHandle>(FileHandle{node, fi->flags, nullptr, opened.version}));
  // A sidecar never changes for its inode, so its pages stay cached.
  fi->keep_cache = opened.keep_cache;
  if (fuse_reply_open(req, fi) != 0) {
    // The kernel never got the handle (the request was interrupted).
    fs.files().remove(fi->fh);
    fs.tree().release(node, fi->flags);
  }
  return kReplied;
}

}  // namespace visionfs::fs
