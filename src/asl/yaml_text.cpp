#include "asl/yaml_text.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace sluice::asl {

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

Json yamlToJson(const YAML::Node& node, const YamlTagFn& onTag) {
  const std::string& tag = node.Tag();
  // "?" and "!" mark untagged plain and quoted nodes; "tag:..." are YAML's own.
  if (onTag && tag.size() > 1 && tag[0] == '!') {
    Json value;
    if (node.IsScalar()) {
      value = Json(node.Scalar());
    } else {
      YAML::Node untagged = YAML::Clone(node);
      untagged.SetTag("?");
      value = yamlToJson(untagged, onTag);
    }
    return onTag(tag, std::move(value));
  }
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      JsonObject obj;
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = yamlToJson(kv.second, onTag);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      JsonArray arr;
      for (const auto& item : node) arr.push_back(yamlToJson(item, onTag));
      return arr;
    }
    case YAML::NodeType::Scalar:
      return scalarToJson(node);
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<Json> parseYamlMapping(std::string_view text, std::string& error,
                                     const YamlTagFn& onTag) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsMap()) return yamlToJson(root, onTag);
    error = "The document is not a YAML mapping";
  } catch (const YAML::Exception& e) {
    error = std::string("Invalid YAML: ") + e.what();
  }
  return std::nullopt;
}

}  // namespace sluice::asl
