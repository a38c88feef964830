// Tree: extended attributes (user.* only), charged to the budget.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <sys/xattr.h>

#include <cerrno>

namespace visionfs::cache {

using internal::kXattrValueMax;
using internal::wall_now;

Errno Tree::setxattr(Ino ino, const std::string& name, std::span<const std::uint8_t> value, int flags) {
  MutexLock lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (!name.starts_with("user.")) return ENOTSUP;
  if (node->kind == NodeKind::kSidecar || node->kind == NodeKind::kNameList) return EACCES;
  if (name.size() > 255 || name.size() == 5) return name.size() == 5 ? EINVAL : ERANGE;
  if (value.size() > kXattrValueMax) return E2BIG;
  auto it = node->xattrs.find(name);
  if ((flags & XATTR_CREATE) && it != node->xattrs.end()) return EEXIST;
  if ((flags & XATTR_REPLACE) && it == node->xattrs.end()) return ENODATA;
  std::uint64_t old_cost = it == node->xattrs.end() ? 0 : name.size() + it->second.size();
  std::uint64_t new_cost = name.size() + value.size();
  if (new_cost > old_cost) {
    if (!budget_.try_charge(new_cost - old_cost)) return ENOSPC;
    node->charged += new_cost - old_cost;
  } else {
    budget_.release(old_cost - new_cost);
    node->charged -= old_cost - new_cost;
  }
  node->xattrs.insert_or_assign(name, SecureBuffer(value));
  node->ctime = wall_now();
  return 0;
}

Errno Tree::getxattr(Ino ino, const std::string& name, std::vector<std::uint8_t>* value) {
  MutexLock lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (!name.starts_with("user.")) return ENOTSUP;  // only user.* is stored
  auto it = node->xattrs.find(name);
  if (it == node->xattrs.end()) return ENODATA;
  value->assign(it->second.data(), it->second.data() + it->second.size());
  return 0;
}

Errno Tree::listxattr(Ino ino, std::vector<std::string>* names) {
  MutexLock lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  names->clear();
  for (const auto& [name, value] : node->xattrs) names->push_back(name);
  return 0;
}

Errno Tree::removexattr(Ino ino, const std::string& name) {
  MutexLock lock(mu_);
  auto node = find_locked(ino);
  if (!node) return ENOENT;
  if (!name.starts_with("user.")) return ENOTSUP;
  if (node->kind == NodeKind::kSidecar || node->kind == NodeKind::kNameList) return EACCES;
  auto it = node->xattrs.find(name);
  if (it == node->xattrs.end()) return ENODATA;
  auto cost = name.size() + it->second.size();
  budget_.release(cost);
  node->charged -= cost;
  node->xattrs.erase(it);
  node->ctime = wall_now();
  return 0;
}

}  // namespace visionfs::cache
