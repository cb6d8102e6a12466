#include "asl/compile_text.hpp"

#include "asl/yaml_text.hpp"

namespace sluice::asl::detail {

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
  auto yaml = parseYamlMapping(text, error);
  if (!yaml && error.starts_with("The document")) {
    error = "Definition is neither a JSON object nor a YAML mapping";
  }
  return yaml;
}

}  // namespace sluice::asl::detail
