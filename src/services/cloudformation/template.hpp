// CloudFormation templates: the text read as JSON or YAML (short-form
// intrinsics `!Ref`, `!Sub`, `!GetAtt A.B` expanded to their long forms), its
// sections checked as CloudFormation checks them before anything is created,
// and the order resources are created in.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::cloudformation {

// CloudFormation's one client error code on the query wire.
inline AwsError validationError(std::string message) {
  return {"ValidationError", std::move(message), 400};
}
inline AwsError templateFormatError(const std::string& message) {
  return validationError("Template format error: " + message);
}

// The template text as JSON, every short form expanded; ValidationError
// "Template format error: ..." for text that is neither.
Result<Json> parseTemplateText(std::string_view text);

// A template whose sections have the shapes CloudFormation accepts: known
// top-level sections, at least one resource, every resource with a Type of
// the AWS::Service::Resource / Custom::Name form and known attributes,
// references (Ref, Fn::GetAtt, Fn::Sub, DependsOn) naming what exists, no
// circular dependency, conditions defined where used.
struct CheckedTemplate {
  Json body;
  // Resource logical ids in an order where each follows what it references.
  std::vector<std::string> creationOrder;
  // Logical id → the resources it depends on.
  std::map<std::string, std::set<std::string>> dependencies;
};
Result<CheckedTemplate> checkTemplate(Json body);

// Fn::Sub's string in pieces: literal text, and `${Name}` / `${Res.Attr}`
// variables (`${!Literal}` is the literal text "${Literal}").
struct SubPiece {
  bool variable = false;
  std::string text;
};
std::vector<SubPiece> splitSub(std::string_view text);

// The template text read and checked, the SAM transform applied first when
// the template declares it: what every operation taking a template uses.
Result<CheckedTemplate> loadTemplate(std::string_view text);

// The capability a checked template's IAM resources need ("CAPABILITY_IAM",
// "CAPABILITY_NAMED_IAM" when one names itself), or "" for none.
std::string neededCapability(const Json& body);

// The names a value refers to through Ref, Fn::GetAtt and Fn::Sub (pseudo
// parameters included; the caller tells resources from parameters).
std::set<std::string> referencedNames(const Json& value);

}  // namespace sluice::services::cloudformation
