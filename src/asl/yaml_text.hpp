// YAML text → JSON, the one YAML reader of the project: state machine
// definitions (compile_text.cpp) and CloudFormation templates, whose
// short-form intrinsics (`!Ref Name`, `!Sub "..."`) are YAML tags.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace sluice::asl {

// Called for every node carrying an application tag ("!Ref"): `value` is the
// node read as JSON (a tagged scalar stays a string). Returns what the node
// becomes.
using YamlTagFn = std::function<Json(const std::string& tag, Json value)>;

// The document's top-level mapping as JSON (plain scalars typed by YAML 1.2's
// core schema, quoted ones strings), or nullopt with `error` set ("Invalid
// YAML: ..." or "... not a YAML mapping"). Without `onTag`, tags are ignored.
std::optional<Json> parseYamlMapping(std::string_view text, std::string& error,
                                     const YamlTagFn& onTag = {});

}  // namespace sluice::asl
