#include "asl/compile_text.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace sluice::asl::detail {

namespace {

bool isYamlNumber(std::string_view s, bool& integral) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digitsStart = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == digitsStart) return false;
  integral = true;
  if (i < s.size() && s[i] == '.') {
    integral = false;
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t expStart = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == expStart) return false;
  }
  return i == s.size();
}

// YAML 1.2 core-schema typing of plain scalars; quoted scalars stay strings.
Json scalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return Json(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  bool integral = false;
  if (isYamlNumber(s, integral)) {
    if (integral) {
      long long v = 0;
      std::string_view digits = s;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec == std::errc() && ptr == digits.data() + digits.size()) return v;
    }
    return std::strtod(s.c_str(), nullptr);
  }
  return Json(s);
}

Json yamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      JsonObject obj;
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = yamlToJson(kv.second);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      JsonArray arr;
      for (const auto& item : node) arr.push_back(yamlToJson(item));
      return arr;
    }
    case YAML::NodeType::Scalar:
      return scalarToJson(node);
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<Json> parseDefinitionText(std::string_view text, std::string& error) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    error = "Received a null or empty workflow input.";
    return std::nullopt;
  }
  std::string jsonError;
  if (auto json = parseJson(text, &jsonError)) return json;
  // Text that starts like JSON is reported as JSON, not re-read as YAML.
  if (text[first] == '{' || text[first] == '[') {
    error = "Invalid JSON: " + jsonError;
    return std::nullopt;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsMap()) return yamlToJson(root);
    error = "Definition is neither a JSON object nor a YAML mapping";
  } catch (const YAML::Exception& e) {
    error = std::string("Invalid YAML: ") + e.what();
  }
  return std::nullopt;
}

}  // namespace sluice::asl::detail
