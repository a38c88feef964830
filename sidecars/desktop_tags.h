#pragma once
// What a desktop shows of an image's analysis without reading JSON: the
// extended attributes KDE (Dolphin's Information panel, Baloo) and other
// tools read, user.xdg.tags and user.xdg.comment, derived from NAME.json
// (Google's AnnotateImageResponse, google_response.h).
//
//   tags:    the confident labels (object names among them), once
//            each, comma-joined as KDE writes them ("tabby,cat,laptop")
//   comment: one line: faces, confident objects with counts (most frequent first), the first words of the
//            text ("2 faces; objects: person (2), sports ball; text: ...")
//
// Pure functions; thread-safe.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace visionfs::sidecars {

inline constexpr std::string_view kTagsXattr = "user.xdg.tags";
inline constexpr std::string_view kCommentXattr = "user.xdg.comment";

// The one threshold for what reaches a desktop (tags, the comment, XMP
// keywords, description and object regions): a label or object counts from
// this score up. Below it, guesses would crowd a tag cloud with wrong words
// ("frisbee" at 0.38 on a painting). NAME.json keeps every result.
inline constexpr double kMinTagScore = 0.5;
// How many words of the text the comment quotes.
inline constexpr int kCommentWords = 8;

// `response` is a NAME.json document. Empty when nothing qualifies (the
// attribute then has an empty value).
std::string desktop_tags(const nlohmann::json& response);
// What was found with confidence, in one line; empty when nothing was or
// the image could not be read (errors stay in NAME.json).
std::string desktop_comment(const nlohmann::json& response);

// Whether `name` is one of the two attributes above.
bool is_desktop_xattr(std::string_view name);

}  // namespace visionfs::sidecars
