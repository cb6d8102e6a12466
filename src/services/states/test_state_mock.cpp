#include "services/states/test_state_mock.hpp"

#include <cctype>

#include "services/common/aws_sdk_integration.hpp"

namespace sluice::services::states {

namespace {

using model::Shape;
using model::ShapeType;

bool sameIgnoringFirstCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() &&
         std::tolower(static_cast<unsigned char>(a[0])) ==
             std::tolower(static_cast<unsigned char>(b[0])) &&
         a.substr(1) == b.substr(1);
}

std::string_view typeName(ShapeType t) {
  switch (t) {
    case ShapeType::Structure:
    case ShapeType::Map:
      return "object";
    case ShapeType::List:
      return "array";
    case ShapeType::Boolean:
      return "boolean";
    case ShapeType::Integer:
    case ShapeType::Long:
      return "integer";
    case ShapeType::Float:
    case ShapeType::Double:
      return "number";
    default:
      return "string";
  }
}

AwsError mismatch(const std::string& path, std::string_view problem) {
  return AwsError::validation("Mock result schema validation error: field '" + path + "' " +
                              std::string(problem));
}

Result<void> check(const Json& v, const Shape& shape, bool strict, const std::string& path) {
  auto wrongType = [&] {
    return mismatch(path, "must be of type " + std::string(typeName(shape.type)));
  };
  switch (shape.type) {
    case ShapeType::Structure: {
      if (!v.is_object()) return wrongType();
      for (const auto& kv : v.as_object()) {
        const model::Member* member = nullptr;
        for (const auto& m : shape.members) {
          if (sameIgnoringFirstCase(m.name, kv.key())) member = &m;
        }
        std::string child = path.empty() ? std::string(kv.key()) : path + "." + kv.key().data();
        if (!member) return mismatch(child, "is not defined in the API response shape");
        if (!member->shape) continue;
        if (auto r = check(kv.value(), *member->shape, strict, child); !r) return r;
      }
      if (strict) {
        for (const auto& m : shape.members) {
          if (!m.required) continue;
          bool present = false;
          for (const auto& kv : v.as_object()) present |= sameIgnoringFirstCase(m.name, kv.key());
          std::string name(m.name);
          name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
          if (!present) return mismatch(path.empty() ? name : path + "." + name, "is required");
        }
      }
      return {};
    }
    case ShapeType::List: {
      if (!v.is_array()) return wrongType();
      const auto& items = v.as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        if (!shape.member.shape) break;
        auto r = check(items[i], *shape.member.shape, strict, path + "[" + std::to_string(i) + "]");
        if (!r) return r;
      }
      return {};
    }
    case ShapeType::Map: {
      if (!v.is_object()) return wrongType();
      for (const auto& kv : v.as_object()) {
        if (!shape.value.shape) break;
        auto r = check(kv.value(), *shape.value.shape, strict, path + "." + kv.key().data());
        if (!r) return r;
      }
      return {};
    }
    case ShapeType::Boolean:
      return v.is_bool() ? Result<void>{} : wrongType();
    case ShapeType::Integer:
    case ShapeType::Long:
      return v.is_int64() || v.is_uint64() ? Result<void>{} : wrongType();
    case ShapeType::Float:
    case ShapeType::Double:
      return v.is_number() ? Result<void>{} : wrongType();
    case ShapeType::Timestamp:
      return v.is_string() || v.is_number() ? Result<void>{} : wrongType();
    case ShapeType::String:
      if (!v.is_string()) return wrongType();
      if (!shape.enumValues.empty()) {
        bool known = false;
        for (const auto& e : shape.enumValues) known |= e == v.get_string();
        if (!known) return mismatch(path, "must be one of the API's enum values");
      }
      return {};
    case ShapeType::Blob:
      return v.is_string() ? Result<void>{} : wrongType();
  }
  return {};
}

}  // namespace

Result<void> validateMockResult(const engine::ParsedResource& resource,
                                asl::IntegrationPattern pattern, const Json& result,
                                std::string_view mode) {
  if (mode == "NONE" || resource.family != engine::TaskFamily::Task) return {};
  // Only request-response calls return the API's own response; lambda:invoke
  // wraps its payload (any JSON) in its own envelope.
  if (pattern != asl::IntegrationPattern::RequestResponse) return {};
  if (!resource.resourceType.starts_with("aws-sdk:") && resource.resourceType == "lambda")
    return {};
  const model::Operation* op = integrationOperation(resource.resourceType, resource.resource);
  if (!op || !op->output) return {};
  return check(result, *op->output, mode == "STRICT", "");
}

}  // namespace sluice::services::states
