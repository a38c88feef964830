// Tree: every directory's .hidden (freedesktop's convention: one name per
// line, read by GLib for Nautilus and GTK dialogs, and by KIO for Dolphin):
// the computed sidecar names listed there, so that file browsers show the
// photos and open none of the sidecars, while ls, globs and scripts still
// see every name.
//
// A file still being written has its names listed from the start: it may
// be an image once closed, GLib keeps a .hidden it has read for 5 s without
// looking again, and the names arrive a second after the copy.
// A .hidden the user writes is their file and wins; read-only opens of it
// get its lines as written followed by the computed names it lacks.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <algorithm>
#include <cerrno>
#include <set>

namespace visionfs::cache {

using internal::kNameMax;

std::string Tree::hidden_text_locked(const Node& dir) const {
  std::string text;
  for (const auto& [name, child] : dir.children) {
    if (child->kind != NodeKind::kFile) continue;
    // Being written: it may be an image once closed.
    if (child->writers == 0 && !is_image_locked(*child)) continue;
    for (const auto& kind : listed_kinds()) {
      auto hidden = sidecar_name(name, kind);
      if (hidden.size() > kNameMax || dir.children.count(hidden) || child->removed_sidecars.count(kind)) continue;
      text += hidden;
      text += '\n';
    }
  }
  return text;
}

NodePtr Tree::hidden_list_locked(Node& dir) {
  // None where there is nothing to hide: an empty directory stays empty to
  // `ls -A`.
  if (dir.children.count(kHiddenList) || hidden_text_locked(dir).empty()) return nullptr;
  if (!dir.hidden_list) {
    auto list = std::make_shared<Node>(next_ino_++, NodeKind::kNameList, &budget_);
    list->mode = S_IFREG | 0444;
    list->uid = dir.uid;
    list->gid = dir.gid;
    list->parent = &dir;
    list->name = kHiddenList;
    list->linked = true;
    dir.hidden_list = list;
  }
  inodes_.try_emplace(dir.hidden_list->ino, dir.hidden_list);
  return dir.hidden_list;
}

void Tree::note_hidden_names_changed_locked(Node& dir) { dir.hidden_names_changed = internal::wall_now(); }

Errno Tree::hidden_list_text(const NodePtr& node, std::string* out) {
  MutexLock lock(mu_);
  const Node* dir = node->parent;
  if (!node->linked || !dir) return ENOENT;
  if (node->kind == NodeKind::kNameList) {
    *out = hidden_text_locked(*dir);
    return 0;
  }
  // The user's .hidden: their lines as written, then the computed names
  // they do not already list.
  auto bytes = node->content->bytes();
  out->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::set<std::string_view> theirs;
  for (std::size_t start = 0; start < out->size();) {
    auto end = out->find('\n', start);
    if (end == std::string::npos) end = out->size();
    theirs.insert(std::string_view(*out).substr(start, end - start));
    start = end + 1;
  }
  std::string computed = hidden_text_locked(*dir);
  std::string extra;
  for (std::size_t start = 0; start < computed.size();) {
    const auto end = computed.find('\n', start);
    const auto name = std::string_view(computed).substr(start, end - start);
    if (!theirs.count(name)) extra.append(name).push_back('\n');
    start = end + 1;
  }
  if (!extra.empty() && !out->empty() && out->back() != '\n') out->push_back('\n');
  *out += extra;
  return 0;
}

bool Tree::is_hidden_list(const NodePtr& node) const {
  MutexLock lock(mu_);
  return node->kind == NodeKind::kNameList ||
         (node->kind == NodeKind::kFile && node->linked && node->name == kHiddenList);
}

}  // namespace visionfs::cache
