// ValidateTemplate and GetTemplateSummary: what a template declares
// (parameters, description, the capabilities it needs, resource types),
// read without deploying it.
#include "services/cloudformation/cloudformation_service.hpp"
#include "services/cloudformation/resource_types.hpp"
#include "services/cloudformation/serverless_transform.hpp"

namespace sluice::services::cloudformation {

namespace {

struct Declared {
  JsonArray parameters;
  std::string capability;  // empty when none is needed
  JsonArray resourceTypes;
};

// `summary`: GetTemplateSummary's richer parameter shape.
Declared declared(const Json& body, bool summary) {
  const JsonObject& t = body.as_object();
  Declared d;
  if (const Json* p = t.if_contains("Parameters")) {
    for (const auto& kv : p->as_object()) {
      const JsonObject& spec = kv.value().as_object();
      JsonObject item{
          {"ParameterKey", kv.key()},
          {"NoEcho", spec.contains("NoEcho") && scalarText(spec.at("NoEcho")) == "true"}};
      if (const Json* v = spec.if_contains("Default")) item["DefaultValue"] = scalarText(*v);
      if (const Json* v = spec.if_contains("Description")) item["Description"] = *v;
      if (summary) {
        item["ParameterType"] = jsonString(spec.if_contains("Type"));
        JsonObject constraints;
        if (const Json* a = spec.if_contains("AllowedValues"); a && a->is_array()) {
          JsonArray values;
          for (const Json& v : a->as_array()) values.emplace_back(scalarText(v));
          constraints["AllowedValues"] = std::move(values);
        }
        item["ParameterConstraints"] = std::move(constraints);
      }
      d.parameters.push_back(std::move(item));
    }
  }
  std::set<std::string> types;
  for (const auto& kv : t.at("Resources").as_object()) {
    std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
    types.insert(type);
  }
  d.capability = neededCapability(body);
  for (const auto& type : types) d.resourceTypes.emplace_back(type);
  return d;
}

}  // namespace

Result<Change> CloudFormationService::validateTemplate(const Json& in, const CallContext&) {
  const Json* text = jsonAt(in, {"TemplateBody"});
  if (!text || !text->is_string()) {
    return validationError("Either Template URL or Template Body must be specified.");
  }
  auto checked = loadTemplate(text->as_string());
  if (!checked) return checked.takeError();
  const JsonObject& t = checked->body.as_object();
  Declared d = declared(checked->body, false);
  JsonObject r{{"Parameters", std::move(d.parameters)}};
  if (const Json* desc = t.if_contains("Description")) r["Description"] = *desc;
  if (!d.capability.empty()) {
    r["Capabilities"] = JsonArray{Json(d.capability)};
    r["CapabilitiesReason"] = "The following resource(s) require capabilities: [AWS::IAM::*]";
  }
  return Change(Json(std::move(r)));
}

Result<Change> CloudFormationService::getTemplateSummary(const Json& in, const CallContext& ctx) {
  std::string text;
  if (const Json* body = jsonAt(in, {"TemplateBody"}); body && body->is_string()) {
    text = std::string(body->as_string());
  } else if (const Json* name = jsonAt(in, {"StackName"}); name && name->is_string()) {
    auto s = stack(ctx.scope, std::string(name->as_string()));
    if (!s) return s.takeError();
    const Json* stored = (*s)->as_object().if_contains("TemplateBody");
    if (!stored) {
      return validationError("Stack " + std::string(name->as_string()) + " has no template");
    }
    text = jsonString(stored);
  } else {
    return validationError(
        "Either Template URL or Template Body or StackName or StackSetName "
        "must be specified.");
  }
  auto checked = loadTemplate(text);
  if (!checked) return checked.takeError();
  const JsonObject& t = checked->body.as_object();
  Declared d = declared(checked->body, true);
  JsonObject r{{"Parameters", std::move(d.parameters)},
               {"ResourceTypes", std::move(d.resourceTypes)},
               {"Version", "2010-09-09"},
               {"DeclaredTransforms", JsonArray{}}};
  if (auto body = parseTemplateText(text); body && usesServerlessTransform(*body)) {
    r["DeclaredTransforms"] = JsonArray{Json(kServerlessTransform)};
  }
  if (const Json* desc = t.if_contains("Description")) r["Description"] = *desc;
  if (!d.capability.empty()) {
    r["Capabilities"] = JsonArray{Json(d.capability)};
    r["CapabilitiesReason"] = "The following resource(s) require capabilities: [AWS::IAM::*]";
  }
  return Change(Json(std::move(r)));
}

}  // namespace sluice::services::cloudformation
