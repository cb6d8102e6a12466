// FunctionName as Lambda accepts it: "my-function", "my-function:v1",
// "123456789012:function:my-function[:v1]" or the full ARN.
#include "services/lambda/lambda_service.hpp"

#include <vector>

namespace sluice::services::lambda {

namespace {

std::vector<std::string_view> splitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string_view::npos) return parts;
    start = colon + 1;
  }
}

bool validName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<FunctionRef> qualifiedName(const Json& in) {
  const JsonObject* o = in.is_object() ? &in.as_object() : nullptr;
  const Json* name = o ? o->if_contains("FunctionName") : nullptr;
  const Json* qualifier = o ? o->if_contains("Qualifier") : nullptr;
  if (!name || !name->is_string()) {
    return AwsError::validation(
        "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: "
        "Member must not be null");
  }
  return parseFunctionName(name->get_string(), qualifier && qualifier->is_string()
                                                   ? std::string_view(qualifier->get_string())
                                                   : std::string_view());
}

Result<void> checkRevision(const Json& in, const std::string& current) {
  const Json* rev = in.is_object() ? in.as_object().if_contains("RevisionId") : nullptr;
  if (!rev || !rev->is_string() || rev->get_string() == current) return {};
  return AwsError{"PreconditionFailedException",
                  "The Revision Id provided does not match the latest Revision Id. Call the "
                  "GetFunction/GetAlias API to retrieve the latest Revision Id",
                  412};
}

Result<FunctionRef> parseFunctionName(std::string_view text, std::string_view qualifier) {
  auto parts = splitColons(text);
  FunctionRef ref;
  bool ok = true;
  if (text.starts_with("arn:")) {
    // arn:partition:lambda:region:account:function:name[:qualifier]
    ok = (parts.size() == 7 || parts.size() == 8) && parts[2] == "lambda" && parts[5] == "function";
    if (ok) {
      ref.name = parts[6];
      if (parts.size() == 8) ref.qualifier = parts[7];
    }
  } else if (parts.size() >= 3 && parts[1] == "function") {
    ok = parts.size() <= 4;
    if (ok) {
      ref.name = parts[2];
      if (parts.size() == 4) ref.qualifier = parts[3];
    }
  } else {
    ok = parts.size() <= 2;
    if (ok) {
      ref.name = parts[0];
      if (parts.size() == 2) ref.qualifier = parts[1];
    }
  }
  if (!ok || !validName(ref.name) ||
      (parts.size() > 1 && ref.qualifier.empty() && !text.starts_with("arn:") &&
       parts[1] != "function")) {
    return AwsError{"InvalidParameterValueException",
                    "Invalid function name: '" + std::string(text) +
                        "'. Use a name, a partial ARN (123456789012:function:name) or a function "
                        "ARN, optionally followed by :version or :alias.",
                    400};
  }
  if (!qualifier.empty()) {
    if (!ref.qualifier.empty() && ref.qualifier != qualifier) {
      return AwsError{"InvalidParameterValueException",
                      "The derived qualifier from the function name does not match the specified "
                      "qualifier.",
                      400};
    }
    ref.qualifier = qualifier;
  }
  return ref;
}

}  // namespace sluice::services::lambda
