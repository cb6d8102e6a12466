// Shared state and field readers of the definition compiler (private to
// compile_*.cpp / validate_*.cpp). Every reader reports problems as
// diagnostics at the field's JSON-pointer location and keeps going, so one
// pass collects everything AWS would report.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "asl/compile.hpp"
#include "asl/machine.hpp"

namespace sluice::asl::detail {

inline constexpr const char* kSchema = "SCHEMA_VALIDATION_FAILED";
inline constexpr const char* kMissingTarget = "MISSING_TRANSITION_TARGET";

struct CompileContext {
  const CompileOptions& options;
  std::vector<Diagnostic> diagnostics;
  QueryLanguage machineLanguage = QueryLanguage::JSONPath;  // the whole machine's
  std::unordered_set<std::string> stateNames;               // across nested machines

  void error(const char* code, std::string message, std::string location) {
    diagnostics.push_back({"ERROR", code, std::move(message), std::move(location)});
  }
  void schema(std::string message, std::string location) {
    error(kSchema, std::move(message), std::move(location));
  }
  bool hasErrors() const;
};

// "/" + key under `base`, where the root location is written "/".
std::string childLocation(const std::string& base, std::string_view key);
std::string childLocation(const std::string& base, size_t index);

// True for a string holding a JSONata expression `{% ... %}`.
bool isJsonataExpression(const Json& v);

// Reports every key of `obj` not in `allowed` as "Field 'X' is not supported".
void checkAllowedFields(CompileContext& ctx, const JsonObject& obj,
                        std::initializer_list<std::string_view> allowed,
                        const std::string& location);
void checkAllowedFields(CompileContext& ctx, const JsonObject& obj,
                        const std::vector<std::string_view>& allowed, const std::string& location);

// Typed readers: nullopt when absent or of the wrong type (then reported).
std::optional<std::string> readString(CompileContext& ctx, const JsonObject& obj,
                                      std::string_view key, const std::string& location);
std::optional<bool> readBool(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                             const std::string& location);
std::optional<long long> readInteger(CompileContext& ctx, const JsonObject& obj,
                                     std::string_view key, const std::string& location,
                                     long long min, long long max);
std::optional<double> readNumber(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                                 const std::string& location, double min, double max);

// A JSONPath field (`reference`: only a reference path is allowed).
std::optional<Path> readPath(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                             const std::string& location, bool reference);
// InputPath / OutputPath / ResultPath, where JSON null means "nothing".
OptionalPath readOptionalPath(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                              const std::string& location, bool reference);
// Parameters, ResultSelector, ItemSelector, Assign.
std::optional<PayloadTemplate> readTemplate(CompileContext& ctx, const JsonObject& obj,
                                            std::string_view key, const std::string& location);

// A JSONata-mode field (Arguments, Output, Items, ...): any JSON value, with
// its `{% %}` strings compiled; invalid expressions are reported where they are.
// `fieldPrefix` names the enclosing entry in runtime causes ("Choices[0]/").
std::optional<JsonataTemplate> readJsonata(CompileContext& ctx, const JsonObject& obj,
                                           std::string_view key, const std::string& location,
                                           std::string_view fieldPrefix = {});
// The same for a value at hand: `field` names it in runtime causes,
// `location` is its JSON pointer.
std::optional<JsonataTemplate> compileJsonata(CompileContext& ctx, const Json& value,
                                              std::string field, const std::string& location);
// Output and Assign (Assign must be an object) of a state, Catch entry or Choice rule.
void readJsonataOutputAssign(CompileContext& ctx, const JsonObject& obj,
                             const std::string& location, JsonataIO& io,
                             std::string_view fieldPrefix = {});

}  // namespace sluice::asl::detail
