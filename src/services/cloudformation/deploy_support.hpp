// What the stack operations and deployments share: the stack table's name,
// stack and resource events, the wording of resource failures, parameter
// and property resolution.
#pragma once

#include <chrono>
#include <string>

#include <map>

#include "core/error.hpp"
#include "core/json.hpp"
#include "services/cloudformation/intrinsics.hpp"
#include "services/cloudformation/resource_types.hpp"

namespace sluice::services::cloudformation {

inline constexpr const char* kStacksTable = "cfn_stacks";
// How long an operation that starts a deployment waits for it before
// answering anyway (the deployment goes on).
inline constexpr auto kSettleWait = std::chrono::seconds(20);

// A stack-level event (the stack itself is the resource).
inline JsonObject stackEvent(const char* status, std::string reason = {}) {
  JsonObject e{{"ResourceStatus", status}};
  if (!reason.empty()) e["ResourceStatusReason"] = std::move(reason);
  return e;
}

inline JsonObject resourceEvent(const std::string& logicalId, const std::string& type,
                                const std::string& physicalId, const char* status,
                                std::string reason = {}) {
  JsonObject e{{"LogicalResourceId", logicalId},
               {"ResourceType", type},
               {"PhysicalResourceId", physicalId},
               {"ResourceStatus", status}};
  if (!reason.empty()) e["ResourceStatusReason"] = std::move(reason);
  return e;
}

// CREATE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, ... (not
// REVIEW_IN_PROGRESS: a stack waiting for its first change set runs nothing).
inline bool deploying(const std::string& status) {
  return status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS";
}

// Why a resource failed, worded as CloudFormation's resource handlers word it.
inline std::string handlerReason(const AwsError& e) {
  return "Resource handler returned message: \"" + e.message + "\" (HandlerErrorCode: " +
         (e.code == "InvalidRequest" ? std::string("InvalidRequest")
                                     : "GeneralServiceException, ErrorCode: " + e.code) +
         ")";
}

// Parameters of type AWS::SSM::Parameter::Value<...> replaced by the value
// of the Parameter Store parameter they name (when a deployment starts).
Result<void> readSsmParameters(const ResourceApi& api, const Json& body,
                               std::map<std::string, Json>& params);
// A resource's properties resolved, and checked against what its type
// supports (InvalidRequest naming an unsupported type or property).
Result<JsonObject> resolvedProperties(TemplateValues& values, const std::string& type,
                                      const JsonObject& resource);

}  // namespace sluice::services::cloudformation
