// Field readers shared by the state compilers (see compile_context.hpp).
#include <algorithm>
#include <cmath>

#include "asl/compile_context.hpp"

namespace sluice::asl::detail {

bool CompileContext::hasErrors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == "ERROR"; });
}

std::string childLocation(const std::string& base, std::string_view key) {
  std::string out = base == "/" ? "" : base;
  out += '/';
  out += key;
  return out;
}

std::string childLocation(const std::string& base, size_t index) {
  return childLocation(base, std::to_string(index));
}

bool isJsonataExpression(const Json& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.get_string();
  return s.size() >= 4 && s.substr(0, 2) == "{%" && s.substr(s.size() - 2) == "%}";
}

void checkAllowedFields(CompileContext& ctx, const JsonObject& obj,
                        const std::vector<std::string_view>& allowed, const std::string& location) {
  for (const auto& kv : obj) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      ctx.schema("Field '" + std::string(kv.key()) + "' is not supported", location);
    }
  }
}

void checkAllowedFields(CompileContext& ctx, const JsonObject& obj,
                        std::initializer_list<std::string_view> allowed,
                        const std::string& location) {
  checkAllowedFields(ctx, obj, std::vector<std::string_view>(allowed), location);
}

std::optional<std::string> readString(CompileContext& ctx, const JsonObject& obj,
                                      std::string_view key, const std::string& location) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (!it->value().is_string()) {
    ctx.schema("Expected value of type: String", childLocation(location, key));
    return std::nullopt;
  }
  return std::string(it->value().get_string());
}

std::optional<bool> readBool(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                             const std::string& location) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (!it->value().is_bool()) {
    ctx.schema("Expected value of type: Boolean", childLocation(location, key));
    return std::nullopt;
  }
  return it->value().get_bool();
}

std::optional<long long> readInteger(CompileContext& ctx, const JsonObject& obj,
                                     std::string_view key, const std::string& location,
                                     long long min, long long max) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  auto v = isNumber(it->value()) ? toInteger(it->value()) : std::nullopt;
  if (!v) {
    ctx.schema("Expected value of type: Integer", childLocation(location, key));
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    ctx.schema("Value must be between " + std::to_string(min) + " and " + std::to_string(max),
               childLocation(location, key));
    return std::nullopt;
  }
  return v;
}

std::optional<double> readNumber(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                                 const std::string& location, double min, double max) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (!isNumber(it->value())) {
    ctx.schema("Expected value of type: Number", childLocation(location, key));
    return std::nullopt;
  }
  double v = toDouble(it->value());
  if (std::isnan(v) || v < min || v > max) {
    ctx.schema("Value is out of range", childLocation(location, key));
    return std::nullopt;
  }
  return v;
}

std::optional<Path> readPath(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                             const std::string& location, bool reference) {
  auto text = readString(ctx, obj, key, location);
  if (!text) return std::nullopt;
  auto path = Path::parse(*text);
  bool ok = path.ok() && (!reference || path->isReferencePath());
  if (!ok) {
    ctx.schema("The value for the field '" + std::string(key) + "' must be a valid " +
                   (reference ? "ReferencePath" : "JSONPath"),
               childLocation(location, key));
    return std::nullopt;
  }
  return std::move(*path);
}

OptionalPath readOptionalPath(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                              const std::string& location, bool reference) {
  OptionalPath out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (it->value().is_null()) {
    out.isNull = true;
    return out;
  }
  if (it->value().is_string() && it->value().get_string() == "$") return out;
  out.path = readPath(ctx, obj, key, location, reference);
  return out;
}

std::optional<PayloadTemplate> readTemplate(CompileContext& ctx, const JsonObject& obj,
                                            std::string_view key, const std::string& location) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  auto compiled = PayloadTemplate::compile(it->value());
  if (!compiled) {
    ctx.schema(compiled.error().message, childLocation(location, key));
    return std::nullopt;
  }
  return std::move(*compiled);
}

std::optional<JsonataTemplate> compileJsonata(CompileContext& ctx, const Json& value,
                                              std::string field, const std::string& location) {
  std::vector<JsonataProblem> problems;
  auto compiled = JsonataTemplate::compile(value, std::move(field), problems);
  for (auto& p : problems) {
    ctx.error(p.code, std::move(p.message),
              p.path.empty() ? location : childLocation(location, p.path));
  }
  return compiled;
}

std::optional<JsonataTemplate> readJsonata(CompileContext& ctx, const JsonObject& obj,
                                           std::string_view key, const std::string& location,
                                           std::string_view fieldPrefix) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  return compileJsonata(ctx, it->value(), std::string(fieldPrefix) + std::string(key),
                        childLocation(location, key));
}

void readJsonataOutputAssign(CompileContext& ctx, const JsonObject& obj,
                             const std::string& location, JsonataIO& io,
                             std::string_view fieldPrefix) {
  io.output = readJsonata(ctx, obj, "Output", location, fieldPrefix);
  if (auto it = obj.find("Assign"); it != obj.end()) {
    if (!it->value().is_object()) {
      ctx.schema("Expected value of type: Object", childLocation(location, "Assign"));
    } else {
      io.assign = readJsonata(ctx, obj, "Assign", location, fieldPrefix);
    }
  }
}

}  // namespace sluice::asl::detail
