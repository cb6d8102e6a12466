// Reading operation inputs: typed accessors over the request JSON that
// return the ValidationException AWS gives for a wrong or missing member.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services {

class Input {
 public:
  explicit Input(const Json& request)
      : obj_(request.is_object() ? &request.as_object() : nullptr) {}

  const Json* get(std::string_view member) const {
    return obj_ ? obj_->if_contains(member) : nullptr;
  }
  bool has(std::string_view member) const {
    const Json* v = get(member);
    return v && !v->is_null();
  }
  Result<std::string> requiredString(std::string_view member) const;
  Result<std::optional<std::string>> optionalString(std::string_view member) const;
  Result<std::optional<bool>> optionalBool(std::string_view member) const;
  Result<std::optional<int64_t>> optionalInt(std::string_view member) const;

 private:
  const JsonObject* obj_;
};

// "1 validation error detected: Value null at 'name' failed to satisfy
// constraint: Member must not be null"
AwsError missingMember(std::string_view member);
AwsError wrongType(std::string_view member, std::string_view expected);

// Epoch seconds with millisecond precision, as JSON protocols send timestamps.
Json epochSeconds(TimePoint t);

}  // namespace sluice::services
