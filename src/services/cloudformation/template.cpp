#include "services/cloudformation/template.hpp"

#include <algorithm>
#include <functional>

#include "asl/yaml_text.hpp"
#include "services/cloudformation/serverless_transform.hpp"

namespace sluice::services::cloudformation {

namespace {

constexpr std::string_view kSections[] = {"AWSTemplateFormatVersion",
                                          "Description",
                                          "Metadata",
                                          "Parameters",
                                          "Rules",
                                          "Mappings",
                                          "Conditions",
                                          "Transform",
                                          "Resources",
                                          "Outputs",
                                          "Hooks"};
constexpr std::string_view kResourceMembers[] = {
    "Type",           "Properties",          "DependsOn",      "Condition",   "Metadata",
    "DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy"};
constexpr std::string_view kShortForms[] = {
    "Base64", "Cidr",  "FindInMap", "GetAZs",    "ImportValue", "Join",
    "Select", "Split", "Sub",       "Transform", "And",         "Equals",
    "If",     "Not",   "Or",        "Length",    "ToJsonString"};
constexpr std::string_view kPseudoParameters[] = {
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",   "AWS::Partition",
    "AWS::Region",    "AWS::StackId",          "AWS::StackName", "AWS::URLSuffix"};

bool isPseudo(const std::string& name) {
  return std::find(std::begin(kPseudoParameters), std::end(kPseudoParameters), name) !=
         std::end(kPseudoParameters);
}

// AWS::Service::Resource (three parts), Custom::Name, or AWS::Serverless::X
// (left to the transform).
bool wellFormedType(const std::string& type) {
  if (type.starts_with("Custom::")) return type.size() > 8;
  size_t parts = 1, start = 0;
  for (size_t i = 0; i + 1 < type.size(); ++i) {
    if (type[i] == ':' && type[i + 1] == ':') {
      if (i == start) return false;
      ++parts;
      start = i + 2;
      ++i;
    }
  }
  return parts == 3 && start < type.size() &&
         (type.starts_with("AWS::") || type.starts_with("Alexa::"));
}

void collectNames(const Json& v, std::set<std::string>& out) {
  if (v.is_array()) {
    for (const Json& item : v.as_array()) collectNames(item, out);
    return;
  }
  if (!v.is_object()) return;
  const JsonObject& o = v.as_object();
  if (o.size() == 1) {
    if (const Json* ref = o.if_contains("Ref"); ref && ref->is_string()) {
      out.insert(std::string(ref->as_string()));
      return;
    }
    if (const Json* att = o.if_contains("Fn::GetAtt")) {
      if (att->is_array() && !att->as_array().empty() && att->as_array()[0].is_string()) {
        out.insert(std::string(att->as_array()[0].as_string()));
      } else if (att->is_string()) {
        std::string s(att->as_string());
        out.insert(s.substr(0, s.find('.')));
      }
      return;
    }
    if (const Json* sub = o.if_contains("Fn::Sub")) {
      const Json* text = sub;
      std::set<std::string> local;
      if (sub->is_array() && !sub->as_array().empty()) {
        text = &sub->as_array()[0];
        if (sub->as_array().size() > 1 && sub->as_array()[1].is_object()) {
          for (const auto& kv : sub->as_array()[1].as_object()) {
            local.insert(std::string(kv.key()));
            collectNames(kv.value(), out);
          }
        }
      }
      if (text->is_string()) {
        for (const SubPiece& piece : splitSub(text->as_string())) {
          if (!piece.variable) continue;
          std::string name = piece.text.substr(0, piece.text.find('.'));
          if (piece.text.starts_with("AWS::")) name = piece.text;
          if (!local.count(name)) out.insert(name);
        }
      }
      return;
    }
  }
  for (const auto& kv : o) collectNames(kv.value(), out);
}

// Condition names a value uses (Fn::If's first argument, {"Condition": X}).
void collectConditions(const Json& v, std::set<std::string>& out) {
  if (v.is_array()) {
    for (const Json& item : v.as_array()) collectConditions(item, out);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& kv : v.as_object()) {
    if (kv.key() == "Fn::If" && kv.value().is_array() && !kv.value().as_array().empty() &&
        kv.value().as_array()[0].is_string()) {
      out.insert(std::string(kv.value().as_array()[0].as_string()));
    }
    if (kv.key() == "Condition" && kv.value().is_string() && v.as_object().size() == 1) {
      out.insert(std::string(kv.value().as_string()));
    }
    collectConditions(kv.value(), out);
  }
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

Result<std::vector<std::string>> dependsOnOf(const std::string& id, const Json& resource) {
  std::vector<std::string> out;
  const Json* d = resource.as_object().if_contains("DependsOn");
  if (!d) return out;
  if (d->is_string()) {
    out.emplace_back(d->as_string());
  } else if (d->is_array()) {
    for (const Json& item : d->as_array()) {
      if (!item.is_string()) {
        return templateFormatError("[/Resources/" + id +
                                   "/DependsOn] must be a string or a "
                                   "list of strings");
      }
      out.emplace_back(item.as_string());
    }
  } else {
    return templateFormatError("[/Resources/" + id +
                               "/DependsOn] must be a string or a list of "
                               "strings");
  }
  return out;
}

}  // namespace

std::vector<SubPiece> splitSub(std::string_view text) {
  std::vector<SubPiece> pieces;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    literal.append(text.substr(i, open - i));
    std::string_view inner = text.substr(open + 2, close - open - 2);
    if (!inner.empty() && inner[0] == '!') {
      literal += "${";
      literal.append(inner.substr(1));
      literal += "}";
    } else {
      if (!literal.empty()) pieces.push_back({false, std::move(literal)});
      literal.clear();
      std::string name(inner);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      pieces.push_back({true, std::move(name)});
    }
    i = close + 1;
  }
  literal.append(text.substr(std::min(i, text.size())));
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

std::string neededCapability(const Json& body) {
  std::string needed;
  for (const auto& kv : body.as_object().at("Resources").as_object()) {
    std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
    if (!type.starts_with("AWS::IAM::")) continue;
    if (needed.empty()) needed = "CAPABILITY_IAM";
    for (const char* n :
         {"RoleName", "ManagedPolicyName", "InstanceProfileName", "UserName", "GroupName"}) {
      if (jsonAt(kv.value(), {"Properties", n})) needed = "CAPABILITY_NAMED_IAM";
    }
  }
  return needed;
}

std::set<std::string> referencedNames(const Json& value) {
  std::set<std::string> out;
  collectNames(value, out);
  return out;
}

Result<Json> parseTemplateText(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return templateFormatError("template is empty");
  std::string error;
  if (text[first] == '{') {
    auto json = parseJson(text, &error);
    if (!json || !json->is_object()) return templateFormatError("JSON not well-formed. " + error);
    return *json;
  }
  std::string tagError;
  asl::YamlTagFn expand = [&tagError](const std::string& tag, Json value) -> Json {
    std::string name = tag.substr(1);
    if (name == "Ref" || name == "Condition") return JsonObject{{name, std::move(value)}};
    if (name == "GetAtt" && value.is_string()) {
      std::string s(value.as_string());
      size_t dot = s.find('.');
      if (dot == std::string::npos) return JsonObject{{"Fn::GetAtt", JsonArray{Json(s)}}};
      return JsonObject{{"Fn::GetAtt", JsonArray{Json(s.substr(0, dot)), Json(s.substr(dot + 1))}}};
    }
    if (name == "GetAtt" ||
        std::find(std::begin(kShortForms), std::end(kShortForms), name) != std::end(kShortForms)) {
      return JsonObject{{"Fn::" + name, std::move(value)}};
    }
    if (tagError.empty()) tagError = "unknown tag " + tag;
    return value;
  };
  auto yaml = asl::parseYamlMapping(text, error, expand);
  if (!yaml) return templateFormatError("YAML not well-formed. " + error);
  if (!tagError.empty()) return templateFormatError("YAML not well-formed. " + tagError);
  return *yaml;
}

Result<CheckedTemplate> loadTemplate(std::string_view text) {
  auto body = parseTemplateText(text);
  if (!body) return body.takeError();
  if (usesServerlessTransform(*body)) {
    auto expanded = expandServerless(*body);
    if (!expanded) return expanded.takeError();
    return checkTemplate(std::move(*expanded));
  }
  return checkTemplate(std::move(*body));
}

Result<CheckedTemplate> checkTemplate(Json body) {
  if (!body.is_object()) return templateFormatError("the template must be a JSON object");
  const JsonObject& t = body.as_object();
  std::vector<std::string> unknown;
  for (const auto& kv : t) {
    if (std::find(std::begin(kSections), std::end(kSections), kv.key()) == std::end(kSections)) {
      unknown.emplace_back(kv.key());
    }
  }
  if (!unknown.empty()) {
    return templateFormatError("Invalid template property or properties [" + joinNames(unknown) +
                               "]");
  }
  if (const Json* v = t.if_contains("AWSTemplateFormatVersion");
      v && !(v->is_string() && v->as_string() == "2010-09-09")) {
    return templateFormatError(
        "Unsupported AWSTemplateFormatVersion. Only '2010-09-09' is "
        "supported");
  }
  if (const Json* v = t.if_contains("Description"); v && !v->is_string()) {
    return templateFormatError("Every Description member must be a string.");
  }
  for (const char* section : {"Parameters", "Mappings", "Conditions", "Outputs"}) {
    if (const Json* v = t.if_contains(section); v && !v->is_object()) {
      return templateFormatError(std::string("The ") + section + " section must be a JSON object");
    }
  }
  const Json* resources = t.if_contains("Resources");
  if (!resources || !resources->is_object() || resources->as_object().empty()) {
    return templateFormatError("At least one Resources member must be defined.");
  }
  std::set<std::string> parameters;
  if (const Json* p = t.if_contains("Parameters")) {
    for (const auto& kv : p->as_object()) {
      if (!kv.value().is_object() || !kv.value().as_object().contains("Type")) {
        return templateFormatError("[/Parameters/" + std::string(kv.key()) +
                                   "] Every Parameters object must contain a Type member.");
      }
      parameters.insert(std::string(kv.key()));
    }
  }
  std::set<std::string> conditions;
  if (const Json* c = t.if_contains("Conditions")) {
    for (const auto& kv : c->as_object()) conditions.insert(std::string(kv.key()));
  }
  std::set<std::string> ids;
  for (const auto& kv : resources->as_object()) ids.insert(std::string(kv.key()));

  CheckedTemplate checked;
  std::vector<std::string> badTypes, unresolved;
  std::set<std::string> usedConditions;
  for (const auto& kv : resources->as_object()) {
    std::string id(kv.key());
    if (!kv.value().is_object()) {
      return templateFormatError("[/Resources/" + id + "] resource definition is malformed");
    }
    const JsonObject& r = kv.value().as_object();
    for (const auto& member : r) {
      if (std::find(std::begin(kResourceMembers), std::end(kResourceMembers), member.key()) ==
          std::end(kResourceMembers)) {
        return templateFormatError("[/Resources/" + id + "] Invalid template resource property '" +
                                   std::string(member.key()) + "'");
      }
    }
    const Json* type = r.if_contains("Type");
    if (!type || !type->is_string()) {
      return templateFormatError("[/Resources/" + id +
                                 "] Every Resources object must contain a Type member.");
    }
    // Serverless types exist only under the SAM transform, which replaced them.
    if (!wellFormedType(std::string(type->as_string())) ||
        type->as_string().starts_with("AWS::Serverless::")) {
      badTypes.emplace_back(type->as_string());
    }
    if (const Json* p = r.if_contains("Properties"); p && !p->is_object()) {
      return templateFormatError("[/Resources/" + id + "/Properties] must be a JSON object");
    }
    if (const Json* c = r.if_contains("Condition")) {
      if (!c->is_string()) {
        return templateFormatError("[/Resources/" + id + "/Condition] must be a string");
      }
      usedConditions.insert(std::string(c->as_string()));
    }
    auto dependsOn = dependsOnOf(id, kv.value());
    if (!dependsOn) return dependsOn.takeError();
    std::set<std::string>& deps = checked.dependencies[id];
    for (const auto& d : *dependsOn) {
      if (!ids.count(d)) {
        return templateFormatError("Unresolved resource dependencies [" + d +
                                   "] in the Resources block of the template");
      }
      deps.insert(d);
    }
    if (const Json* p = r.if_contains("Properties")) {
      for (const auto& name : referencedNames(*p)) {
        if (ids.count(name)) {
          deps.insert(name);
        } else if (!parameters.count(name) && !isPseudo(name)) {
          unresolved.push_back(name);
        }
      }
      collectConditions(*p, usedConditions);
    }
  }
  if (!badTypes.empty()) {
    return templateFormatError("Unrecognized resource types: [" + joinNames(badTypes) + "]");
  }
  if (const Json* o = t.if_contains("Outputs")) {
    for (const auto& kv : o->as_object()) {
      if (!kv.value().is_object() || !kv.value().as_object().contains("Value")) {
        return templateFormatError("Every Outputs member must contain a Value object");
      }
      for (const auto& name : referencedNames(kv.value())) {
        if (!ids.count(name) && !parameters.count(name) && !isPseudo(name)) {
          unresolved.push_back(name);
        }
      }
      collectConditions(kv.value(), usedConditions);
      if (const Json* c = kv.value().as_object().if_contains("Condition"); c && c->is_string()) {
        usedConditions.insert(std::string(c->as_string()));
      }
    }
  }
  if (!unresolved.empty()) {
    std::sort(unresolved.begin(), unresolved.end());
    unresolved.erase(std::unique(unresolved.begin(), unresolved.end()), unresolved.end());
    return templateFormatError("Unresolved resource dependencies [" + joinNames(unresolved) +
                               "] in the Resources block of the template");
  }
  if (const Json* c = t.if_contains("Conditions")) collectConditions(*c, usedConditions);
  for (const auto& name : usedConditions) {
    if (!conditions.count(name)) {
      return templateFormatError("Unresolved condition dependency " + name + " in Fn::If");
    }
  }

  // Creation order: depth-first, in template order, each after its
  // dependencies; a cycle names the resources on it.
  std::map<std::string, int> mark;  // 1: visiting, 2: done
  std::vector<std::string> stack;
  std::function<Result<void>(const std::string&)> visit =
      [&](const std::string& id) -> Result<void> {
    if (mark[id] == 2) return {};
    if (mark[id] == 1) {
      auto from = std::find(stack.begin(), stack.end(), id);
      std::vector<std::string> cycle(from, stack.end());
      std::sort(cycle.begin(), cycle.end());
      return validationError("Circular dependency between resources: [" + joinNames(cycle) + "]");
    }
    mark[id] = 1;
    stack.push_back(id);
    for (const auto& d : checked.dependencies[id]) {
      if (auto r = visit(d); !r) return r;
    }
    stack.pop_back();
    mark[id] = 2;
    checked.creationOrder.push_back(id);
    return {};
  };
  for (const auto& kv : resources->as_object()) {
    if (auto r = visit(std::string(kv.key())); !r) return r.error();
  }
  checked.body = std::move(body);
  return checked;
}

}  // namespace sluice::services::cloudformation
