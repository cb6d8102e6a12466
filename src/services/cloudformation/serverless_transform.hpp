// The SAM transform (`Transform: AWS::Serverless-2016-10-31`): a template's
// AWS::Serverless::Function, StateMachine and LayerVersion resources, its
// Globals and their Events expanded into the plain CloudFormation resources
// SAM generates (functions, roles, rules, subscriptions, event source
// mappings, schedules, permissions), with SAM's logical ids, before the
// template is checked and deployed.
#pragma once

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::cloudformation {

inline constexpr const char* kServerlessTransform = "AWS::Serverless-2016-10-31";

// Whether the template declares the SAM transform.
bool usesServerlessTransform(const Json& body);

// The processed template; ValidationError "Transform AWS::Serverless-2016-10-31
// failed with: ..." for what SAM would refuse (and for the parts Sluice does
// not expand: APIs, SimpleTable, AutoPublishAlias), naming the resource.
Result<Json> expandServerless(const Json& body);

}  // namespace sluice::services::cloudformation
