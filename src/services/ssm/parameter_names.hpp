// Parameter Store naming rules: what PutParameter accepts as a name, how a
// name, an ARN and a `name:version` / `name:label` selector are read, paths
// for GetParametersByPath, and labels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/ids.hpp"

namespace sluice::services::ssm {

// Names are unique per Region with "/x" and "x" naming the same parameter:
// the key drops the leading slash of a one-level name.
std::string parameterKey(std::string_view name);

// The checks PutParameter applies to a new name: characters a-zA-Z0-9_.-/,
// no "aws"/"ssm" prefix (any case), a leading "/" when hierarchical, at most
// 15 levels, and at most 1011 characters counting the ARN prefix.
Result<void> checkParameterName(std::string_view name, const Scope& scope);

// arn:<partition>:ssm:<region>:<account>:parameter/<name without leading />
std::string parameterArn(const Scope& scope, std::string_view name);

// A reference to a parameter as Get* operations take it: a name or an ARN,
// optionally followed by ":<version>" or ":<label>".
struct ParameterRef {
  std::string name;                  // without selector, ARN prefix removed
  std::optional<int64_t> version;    // ":3"
  std::optional<std::string> label;  // ":prod"
  std::string selector;              // ":3" / ":prod" as given, or empty
};
Result<ParameterRef> parseParameterRef(std::string_view text);

// The path of GetParametersByPath / the Path filter: starts with "/", valid
// characters, no reserved prefix, at most 15 levels.
Result<void> checkPath(std::string_view path);
// True when `name` lies under `path` (directly, or anywhere below when
// `recursive`). "/" holds every one-level name, "x" included.
bool isUnderPath(std::string_view name, std::string_view path, bool recursive);

// A valid label: 1-100 of a-zA-Z0-9_.-, not starting with a digit, "aws" or
// "ssm" (any case).
bool isValidLabel(std::string_view label);

// The number of levels of a name ("/a/b/c" and "a" have 3 and 1).
int hierarchyLevels(std::string_view name);

}  // namespace sluice::services::ssm
