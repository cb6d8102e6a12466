// Entry points of the definition compiler: text or JSON in, a validated
// immutable Machine and AWS-style diagnostics out.
#include "asl/compile.hpp"

#include "asl/compile_steps.hpp"
#include "asl/compile_text.hpp"

namespace sluice::asl {

namespace {

using detail::CompileContext;

void readMachineHeader(CompileContext& ctx, const JsonObject& obj) {
  if (auto ql = detail::readString(ctx, obj, "QueryLanguage", "/")) {
    if (*ql == "JSONata") {
      ctx.machineLanguage = QueryLanguage::JSONata;
    } else if (*ql != "JSONPath") {
      ctx.schema("Value is not one of [JSONPath, JSONata]", "/QueryLanguage");
    }
  }
}

}  // namespace

CompileResult compileDefinition(const Json& definition, const CompileOptions& options) {
  CompileContext ctx{options, {}, QueryLanguage::JSONPath, {}};
  std::optional<long long> timeout;
  std::string version;
  if (definition.is_object()) {
    const auto& obj = definition.get_object();
    readMachineHeader(ctx, obj);
    timeout = detail::readInteger(ctx, obj, "TimeoutSeconds", "/", 0, 99999999);
    if (auto v = detail::readString(ctx, obj, "Version", "/")) version = *v;
  }
  auto machine = detail::compileMachine(
      ctx, definition, "/",
      {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"});
  machine->timeoutSeconds = timeout;
  machine->version = version;

  CompileResult result;
  bool failed = ctx.hasErrors();
  result.diagnostics = std::move(ctx.diagnostics);
  if (!failed) result.machine = std::move(machine);
  return result;
}

CompileResult compileDefinition(std::string_view text, const CompileOptions& options) {
  std::string error;
  auto definition = detail::parseDefinitionText(text, error);
  if (!definition) {
    CompileResult result;
    bool empty = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    result.diagnostics.push_back(
        {"ERROR", empty ? "MISSING_DESCRIPTION" : "INVALID_JSON_DESCRIPTION", error, ""});
    return result;
  }
  return compileDefinition(*definition, options);
}

AwsError invalidDefinitionError(const std::vector<Diagnostic>& diagnostics) {
  std::string joined;
  for (const auto& d : diagnostics) {
    if (d.severity != "ERROR") continue;
    if (!joined.empty()) joined += ", ";
    joined += d.code + ": " + d.message;
    if (!d.location.empty()) joined += " at " + d.location;
  }
  return AwsError{"InvalidDefinition", "Invalid State Machine Definition: '" + joined + "'", 400};
}

Result<std::shared_ptr<const Machine>> compileOrError(std::string_view text,
                                                      const CompileOptions& options) {
  auto result = compileDefinition(text, options);
  if (!result.machine) return invalidDefinitionError(result.diagnostics);
  return result.machine;
}

}  // namespace sluice::asl

namespace sluice::asl {

Json validationResponse(const CompileResult& compiled) {
  JsonArray diags;
  for (const auto& d : compiled.diagnostics) {
    JsonObject o;
    o["severity"] = d.severity;
    o["code"] = d.code;
    o["message"] = d.message;
    if (!d.location.empty()) o["location"] = d.location;
    diags.push_back(std::move(o));
  }
  JsonObject out;
  out["result"] = compiled.machine ? "OK" : "FAIL";
  out["diagnostics"] = std::move(diags);
  out["truncated"] = false;
  return out;
}

}  // namespace sluice::asl
