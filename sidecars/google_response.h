#pragma once
// NAME.json: the image's analyses as exactly one Google Cloud Vision
// AnnotateImageResponse, in the proto3 JSON mapping the REST API returns
// (camelCase names, enums as strings, empty fields left out), so code
// written for Google's API reads it unchanged and strict parsers accept it
// (no key Google's message lacks). What visionfs computes beyond Google
// (codes, quality, metadata, hashes, engines, boxes in pixels) stays in the
// per-analyzer sidecars. docs/google-vision.md maps each field.
//
// Pure functions over the analyzers' sidecar texts; thread-safe.

#include "sidecars/combined.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace visionfs::sidecars {

// The analyzers whose results NAME.json is made of, in composition order.
const std::vector<std::string>& google_response_analyzers();

// The response as a JSON value. Every part that failed makes the
// response's one `error` (google.rpc.Status: code and message only; the
// first failed part's, in the order given); annotations of the parts that
// succeeded are kept beside it, as Google does.
nlohmann::json google_response(const std::vector<Part>& parts);

// The same, pretty-printed with a final newline: NAME.json's bytes.
std::string compose_google_response(const std::vector<Part>& parts);

}  // namespace visionfs::sidecars
