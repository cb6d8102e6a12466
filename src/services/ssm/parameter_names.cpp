#include "services/ssm/parameter_names.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::services::ssm {

namespace {

constexpr int kMaxLevels = 15;
constexpr size_t kMaxArnLength = 1011;

const char* const kNameRules =
    "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as "
    "a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as "
    "a mix of letters, numbers and the following 3 symbols .-_";

const char* const kPathRules =
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin "
    "with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" "
    "(case-insensitive). It must use only letters, numbers, or the following symbols: . "
    "(period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if "
    "specified, must use the forward slash symbol \"/\". Valid example: "
    "/get/parameters2-/by1./path0_.";

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool startsWithReserved(std::string_view s) {
  if (s.size() < 3) return false;
  std::string head(s.substr(0, 3));
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return head == "aws" || head == "ssm";
}

// Every segment between slashes is non-empty and made of name characters.
bool segmentsValid(std::string_view body) {
  if (body.empty()) return false;
  size_t start = 0;
  while (start <= body.size()) {
    size_t slash = body.find('/', start);
    std::string_view seg = body.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || !std::all_of(seg.begin(), seg.end(), isNameChar)) return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

std::string parameterKey(std::string_view name) {
  if (name.size() > 1 && name[0] == '/' && name.find('/', 1) == std::string_view::npos) {
    return std::string(name.substr(1));
  }
  return std::string(name);
}

int hierarchyLevels(std::string_view name) {
  if (!name.empty() && name[0] == '/') name.remove_prefix(1);
  return static_cast<int>(std::count(name.begin(), name.end(), '/')) + 1;
}

std::string parameterArn(const Scope& scope, std::string_view name) {
  if (!name.empty() && name[0] == '/') name.remove_prefix(1);
  return "arn:" + scope.partition + ":ssm:" + scope.region + ":" + scope.account + ":parameter/" +
         std::string(name);
}

Result<void> checkParameterName(std::string_view name, const Scope& scope) {
  bool hierarchical = !name.empty() && name[0] == '/';
  if (!hierarchical && name.find('/') != std::string_view::npos) {
    return AwsError::validation("Parameter name must be a fully qualified name.");
  }
  std::string_view body = hierarchical ? name.substr(1) : name;
  if (!segmentsValid(body) || startsWithReserved(body)) return AwsError::validation(kNameRules);
  if (hierarchyLevels(name) > kMaxLevels) {
    return AwsError{"HierarchyLevelLimitExceededException",
                    "A hierarchy can have a maximum of 15 levels. For more information, see "
                    "Requirements and constraints for parameter names in the AWS Systems "
                    "Manager User Guide.",
                    400};
  }
  if (parameterArn(scope, name).size() > kMaxArnLength) {
    return AwsError::validation(
        "Parameter name: the fully qualified name, counted with its ARN prefix, must not be "
        "longer than 1011 characters.");
  }
  return {};
}

Result<ParameterRef> parseParameterRef(std::string_view text) {
  ParameterRef ref;
  std::string_view rest = text;
  if (rest.starts_with("arn:")) {
    auto at = rest.find(":parameter/");
    if (at == std::string_view::npos) {
      return AwsError::validation("Parameter ARN " + std::string(text) + " is not valid.");
    }
    rest.remove_prefix(at + std::string_view(":parameter").size());  // keeps the "/"
  }
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    ref.name = std::string(rest);
    return ref;
  }
  ref.name = std::string(rest.substr(0, colon));
  std::string_view sel = rest.substr(colon + 1);
  ref.selector = ":" + std::string(sel);
  if (sel.empty() || sel.find(':') != std::string_view::npos) {
    return AwsError::validation("Invalid parameter selector " + std::string(text) + ".");
  }
  if (std::all_of(sel.begin(), sel.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (sel.size() > 18) {
      return AwsError::validation("Invalid parameter selector " + std::string(text) + ".");
    }
    ref.version = std::stoll(std::string(sel));
  } else {
    ref.label = std::string(sel);
  }
  return ref;
}

Result<void> checkPath(std::string_view path) {
  if (path.empty() || path[0] != '/') return AwsError::validation(kPathRules);
  if (path == "/") return {};
  std::string_view body = path.substr(1);
  if (body.ends_with('/')) body.remove_suffix(1);
  if (!segmentsValid(body) || startsWithReserved(body)) return AwsError::validation(kPathRules);
  if (hierarchyLevels(path) > kMaxLevels) {
    return AwsError{"HierarchyLevelLimitExceededException",
                    "A hierarchy can have a maximum of 15 levels.", 400};
  }
  return {};
}

bool isUnderPath(std::string_view name, std::string_view path, bool recursive) {
  std::string full = name.starts_with('/') ? std::string(name) : "/" + std::string(name);
  std::string prefix(path);
  if (!prefix.ends_with('/')) prefix += '/';
  if (!std::string_view(full).starts_with(prefix) || full.size() == prefix.size()) return false;
  return recursive || full.find('/', prefix.size()) == std::string::npos;
}

bool isValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 100) return false;
  if (label[0] >= '0' && label[0] <= '9') return false;
  if (startsWithReserved(label)) return false;
  return std::all_of(label.begin(), label.end(), isNameChar);
}

}  // namespace sluice::services::ssm
