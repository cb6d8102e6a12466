#include "services/common/input.hpp"

#include <cmath>

namespace sluice::services {

AwsError missingMember(std::string_view member) {
  return AwsError::validation("1 validation error detected: Value null at '" + std::string(member) +
                              "' failed to satisfy constraint: Member must not be null");
}

AwsError wrongType(std::string_view member, std::string_view expected) {
  return {
      "SerializationException",
      "Unexpected value type for '" + std::string(member) + "': expected " + std::string(expected),
      400};
}

Result<std::string> Input::requiredString(std::string_view member) const {
  const Json* v = get(member);
  if (!v || v->is_null()) return missingMember(member);
  if (!v->is_string()) return wrongType(member, "a string");
  return std::string(v->get_string());
}

Result<std::optional<std::string>> Input::optionalString(std::string_view member) const {
  const Json* v = get(member);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return wrongType(member, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<bool>> Input::optionalBool(std::string_view member) const {
  const Json* v = get(member);
  if (!v || v->is_null()) return std::optional<bool>();
  if (!v->is_bool()) return wrongType(member, "a boolean");
  return std::optional<bool>(v->get_bool());
}

Result<std::optional<int64_t>> Input::optionalInt(std::string_view member) const {
  const Json* v = get(member);
  if (!v || v->is_null()) return std::optional<int64_t>();
  auto n = isNumber(*v) ? toInteger(*v) : std::nullopt;
  if (!n) return wrongType(member, "an integer");
  return std::optional<int64_t>(*n);
}

Json epochSeconds(TimePoint t) {
  int64_t ms = t.time_since_epoch().count() / 1000;
  return static_cast<double>(ms) / 1000.0;
}

}  // namespace sluice::services
