// Template values resolved as CloudFormation resolves them during a
// deployment: parameters and pseudo parameters, Conditions, Mappings, the
// intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select,
// Fn::Split, Fn::If, Fn::Equals/And/Or/Not, Fn::FindInMap, Fn::Base64,
// Fn::GetAZs, Fn::ImportValue), and AWS::NoValue removing the member it
// stands in.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace sluice::services::cloudformation {

// What a created resource answers to: Ref gives `physicalId` unless `ref`
// is set; Fn::GetAtt reads `attributes`.
struct ResourceValues {
  std::string physicalId;
  std::optional<Json> ref;
  JsonObject attributes;
};

struct StackIdentity {
  Scope scope;
  std::string stackName;
  std::string stackId;
};

class TemplateValues {
 public:
  // `parameters`: the resolved value of every template parameter (strings,
  // or arrays for list types). `exports`: the value of an export by name,
  // nullopt when no stack exports it.
  TemplateValues(const Json& body, StackIdentity stack, std::map<std::string, Json> parameters,
                 std::function<std::optional<std::string>(const std::string&)> exports);

  // A condition of the Conditions section (memoised).
  Result<bool> condition(const std::string& name);
  // `value` with every intrinsic function resolved and AWS::NoValue members
  // removed; nullopt when the value itself is AWS::NoValue.
  Result<std::optional<Json>> resolve(const Json& value);

  void setResource(const std::string& logicalId, ResourceValues values) {
    resources_[logicalId] = std::move(values);
  }
  const std::map<std::string, ResourceValues>& resources() const { return resources_; }

 private:
  Result<Json> ref(const std::string& name);
  Result<Json> getAtt(const std::string& id, const std::string& attribute);
  Result<Json> sub(const Json& args);
  Result<std::optional<Json>> function(const std::string& name, const Json& args);
  Result<Json> required(const Json& value, const char* fn);

  const JsonObject& body_;
  StackIdentity stack_;
  std::map<std::string, Json> parameters_;
  std::function<std::optional<std::string>(const std::string&)> exports_;
  std::map<std::string, bool> conditions_;
  std::map<std::string, ResourceValues> resources_;
};

// Scalars as CloudFormation passes them to a resource: strings stay, numbers
// and booleans become their text.
std::string scalarText(const Json& value);

}  // namespace sluice::services::cloudformation
