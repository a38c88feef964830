#pragma once
// NAME.xmp: an XMP sidecar in the form darktable and digiKam read next to
// an image (their naming): dc:subject holds the tags, dc:description the
// comment (both as in sidecars/desktop_tags.h), and mwg-rs:Regions the face,
// object and code boxes in the Metadata Working Group form: centre and size
// normalized to the oriented image, faces as Type Face, codes as BarCode,
// cats, dogs, birds and horses as Pet, other objects by name without a type.
// A pure function over the parts NAME.json is made of; thread-safe.

#include "sidecars/combined.h"

#include <string>
#include <vector>

namespace visionfs::sidecars {

// The XMP packet, UTF-8, ending in a newline.
std::string compose_xmp(const std::vector<Part>& parts);

}  // namespace visionfs::sidecars
