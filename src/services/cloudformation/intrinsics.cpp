#include "services/cloudformation/intrinsics.hpp"

#include "core/encoding.hpp"
#include "services/cloudformation/template.hpp"

namespace sluice::services::cloudformation {

namespace {

AwsError templateError(const std::string& message) {
  return validationError("Template error: " + message);
}

bool isNoValue(const Json& v) {
  if (!v.is_object() || v.as_object().size() != 1) return false;
  const Json* ref = v.as_object().if_contains("Ref");
  return ref && ref->is_string() && ref->as_string() == "AWS::NoValue";
}

}  // namespace

std::string scalarText(const Json& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_bool()) return value.as_bool() ? "true" : "false";
  if (value.is_null()) return "";
  return toJsonText(value);
}

TemplateValues::TemplateValues(
    const Json& body, StackIdentity stack, std::map<std::string, Json> parameters,
    std::function<std::optional<std::string>(const std::string&)> exports)
    : body_(body.as_object()),
      stack_(std::move(stack)),
      parameters_(std::move(parameters)),
      exports_(std::move(exports)) {}

Result<Json> TemplateValues::required(const Json& value, const char* fn) {
  auto r = resolve(value);
  if (!r) return r.takeError();
  if (!*r) return templateError(std::string("AWS::NoValue cannot be an argument of ") + fn);
  return std::move(**r);
}

Result<bool> TemplateValues::condition(const std::string& name) {
  if (auto it = conditions_.find(name); it != conditions_.end()) return it->second;
  const Json* section = body_.if_contains("Conditions");
  const Json* c = section ? section->as_object().if_contains(name) : nullptr;
  if (!c) return templateError("unresolved condition dependency " + name);
  // A cycle of conditions ends here instead of recursing forever.
  conditions_[name] = false;
  auto v = resolve(*c);
  if (!v) {
    conditions_.erase(name);
    return v.takeError();
  }
  if (!*v || !(*v)->is_bool()) {
    conditions_.erase(name);
    return templateError("condition " + name + " must evaluate to true or false");
  }
  conditions_[name] = (*v)->as_bool();
  return (*v)->as_bool();
}

Result<Json> TemplateValues::ref(const std::string& name) {
  const Scope& s = stack_.scope;
  if (name == "AWS::AccountId") return Json(s.account);
  if (name == "AWS::Region") return Json(s.region);
  if (name == "AWS::Partition") return Json(s.partition);
  if (name == "AWS::StackName") return Json(stack_.stackName);
  if (name == "AWS::StackId") return Json(stack_.stackId);
  if (name == "AWS::URLSuffix") return Json("amazonaws.com");
  if (name == "AWS::NotificationARNs") return Json(JsonArray{});
  if (auto p = parameters_.find(name); p != parameters_.end()) return p->second;
  if (auto r = resources_.find(name); r != resources_.end()) {
    if (r->second.ref) return *r->second.ref;
    return Json(r->second.physicalId);
  }
  return templateError("Unresolved resource dependency " + name);
}

Result<Json> TemplateValues::getAtt(const std::string& id, const std::string& attribute) {
  auto r = resources_.find(id);
  if (r == resources_.end()) {
    return templateError("instance of Fn::GetAtt references undefined resource " + id);
  }
  const Json* v = r->second.attributes.if_contains(attribute);
  if (!v) {
    return templateError("resource " + id + " does not support attribute type " + attribute +
                         " in Fn::GetAtt");
  }
  return *v;
}

Result<Json> TemplateValues::sub(const Json& args) {
  const Json* text = &args;
  std::map<std::string, Json> local;
  if (args.is_array()) {
    const JsonArray& a = args.as_array();
    if (a.size() != 2 || !a[0].is_string() || !a[1].is_object()) {
      return templateError(
          "One or more Fn::Sub intrinsic functions don't specify expected "
          "arguments. Specify a string as first argument, and an optional "
          "second argument to specify a mapping of values to replace in the "
          "string");
    }
    text = &a[0];
    for (const auto& kv : a[1].as_object()) {
      auto v = required(kv.value(), "Fn::Sub");
      if (!v) return v.takeError();
      local[std::string(kv.key())] = std::move(*v);
    }
  }
  if (!text->is_string()) {
    return templateError(
        "One or more Fn::Sub intrinsic functions don't specify expected "
        "arguments. Specify a string as first argument");
  }
  std::string out;
  for (const SubPiece& piece : splitSub(text->as_string())) {
    if (!piece.variable) {
      out += piece.text;
      continue;
    }
    Result<Json> v = Json();
    if (auto l = local.find(piece.text); l != local.end()) {
      v = l->second;
    } else if (size_t dot = piece.text.find('.');
               dot != std::string::npos && !piece.text.starts_with("AWS::")) {
      v = getAtt(piece.text.substr(0, dot), piece.text.substr(dot + 1));
    } else {
      v = ref(piece.text);
    }
    if (!v) return v.takeError();
    if (v->is_array() || v->is_object()) {
      return templateError("variable " + piece.text +
                           " in Fn::Sub expression does not resolve "
                           "to a string");
    }
    out += scalarText(*v);
  }
  return Json(std::move(out));
}

Result<std::optional<Json>> TemplateValues::function(const std::string& name, const Json& args) {
  using Out = std::optional<Json>;
  if (name == "Ref") {
    if (!args.is_string()) return templateError("Ref must name a parameter or resource");
    if (args.as_string() == "AWS::NoValue") return Out();
    auto v = ref(std::string(args.as_string()));
    if (!v) return v.takeError();
    return Out(std::move(*v));
  }
  if (name == "Condition") {
    if (!args.is_string()) return templateError("Condition must name a condition");
    auto c = condition(std::string(args.as_string()));
    if (!c) return c.takeError();
    return Out(Json(*c));
  }
  if (name == "Fn::GetAtt") {
    std::string id, attribute;
    if (args.is_string()) {
      std::string s(args.as_string());
      size_t dot = s.find('.');
      id = s.substr(0, dot);
      if (dot != std::string::npos) attribute = s.substr(dot + 1);
    } else if (args.is_array() && args.as_array().size() == 2 && args.as_array()[0].is_string()) {
      id = std::string(args.as_array()[0].as_string());
      auto a = required(args.as_array()[1], "Fn::GetAtt");
      if (!a) return a.takeError();
      if (!a->is_string()) return templateError("Fn::GetAtt attribute name must be a string");
      attribute = std::string(a->as_string());
    }
    if (id.empty() || attribute.empty()) {
      return templateError("every Fn::GetAtt object requires two non-empty parameters");
    }
    auto v = getAtt(id, attribute);
    if (!v) return v.takeError();
    return Out(std::move(*v));
  }
  if (name == "Fn::Sub") {
    auto v = sub(args);
    if (!v) return v.takeError();
    return Out(std::move(*v));
  }
  if (name == "Fn::Join") {
    const char* usage =
        "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list "
        "of strings to be joined or a function that returns a list of strings (such as "
        "Fn::GetAZs) to be joined.";
    if (!args.is_array() || args.as_array().size() != 2) return templateError(usage);
    auto delimiter = required(args.as_array()[0], "Fn::Join");
    if (!delimiter) return delimiter.takeError();
    auto list = required(args.as_array()[1], "Fn::Join");
    if (!list) return list.takeError();
    if (!delimiter->is_string() || !list->is_array()) return templateError(usage);
    std::string out;
    bool first = true;
    for (const Json& item : list->as_array()) {
      if (item.is_object() || item.is_array()) return templateError(usage);
      if (!first) out += delimiter->as_string();
      out += scalarText(item);
      first = false;
    }
    return Out(Json(std::move(out)));
  }
  if (name == "Fn::Select") {
    if (!args.is_array() || args.as_array().size() != 2) {
      return templateError("Fn::Select requires a list of two elements: an index and a list");
    }
    auto index = required(args.as_array()[0], "Fn::Select");
    if (!index) return index.takeError();
    auto list = required(args.as_array()[1], "Fn::Select");
    if (!list) return list.takeError();
    std::optional<long long> i;
    if (index->is_string()) {
      try {
        i = std::stoll(std::string(index->as_string()));
      } catch (const std::exception&) {
      }
    } else {
      i = toInteger(*index);
    }
    if (!i || !list->is_array()) {
      return templateError("Fn::Select requires a list of two elements: an index and a list");
    }
    if (*i < 0 || static_cast<size_t>(*i) >= list->as_array().size()) {
      return templateError("Fn::Select cannot select nonexistent value at index " +
                           std::to_string(*i));
    }
    return Out(list->as_array()[static_cast<size_t>(*i)]);
  }
  if (name == "Fn::Split") {
    if (!args.is_array() || args.as_array().size() != 2) {
      return templateError("Fn::Split requires a delimiter and a source string");
    }
    auto delimiter = required(args.as_array()[0], "Fn::Split");
    if (!delimiter) return delimiter.takeError();
    auto source = required(args.as_array()[1], "Fn::Split");
    if (!source) return source.takeError();
    if (!delimiter->is_string() || !source->is_string() || delimiter->as_string().empty()) {
      return templateError("Fn::Split requires a delimiter and a source string");
    }
    std::string s(source->as_string()), d(delimiter->as_string());
    JsonArray out;
    size_t start = 0;
    for (size_t at; (at = s.find(d, start)) != std::string::npos; start = at + d.size()) {
      out.emplace_back(s.substr(start, at - start));
    }
    out.emplace_back(s.substr(start));
    return Out(Json(std::move(out)));
  }
  if (name == "Fn::If") {
    if (!args.is_array() || args.as_array().size() != 3 || !args.as_array()[0].is_string()) {
      return templateError("Fn::If requires a list argument with three elements");
    }
    auto c = condition(std::string(args.as_array()[0].as_string()));
    if (!c) return c.takeError();
    return resolve(args.as_array()[*c ? 1 : 2]);
  }
  if (name == "Fn::Equals") {
    if (!args.is_array() || args.as_array().size() != 2) {
      return templateError("Fn::Equals requires a list argument with two elements");
    }
    auto a = required(args.as_array()[0], "Fn::Equals");
    if (!a) return a.takeError();
    auto b = required(args.as_array()[1], "Fn::Equals");
    if (!b) return b.takeError();
    bool equal = (a->is_object() || a->is_array() || b->is_object() || b->is_array())
                     ? jsonEquals(*a, *b)
                     : scalarText(*a) == scalarText(*b);
    return Out(Json(equal));
  }
  if (name == "Fn::And" || name == "Fn::Or" || name == "Fn::Not") {
    if (!args.is_array() || args.as_array().empty() ||
        (name == "Fn::Not" && args.as_array().size() != 1) || args.as_array().size() > 10) {
      return templateError(name + " requires a list of conditions");
    }
    bool all = true, any = false;
    for (const Json& item : args.as_array()) {
      auto v = required(item, name.c_str());
      if (!v) return v.takeError();
      if (!v->is_bool()) return templateError(name + " arguments must be conditions");
      all = all && v->as_bool();
      any = any || v->as_bool();
    }
    if (name == "Fn::Not") return Out(Json(!all));
    return Out(Json(name == "Fn::And" ? all : any));
  }
  if (name == "Fn::FindInMap") {
    if (!args.is_array() || args.as_array().size() < 3) {
      return templateError(
          "Fn::FindInMap requires a map name, a top-level key and a "
          "second-level key");
    }
    std::string keys[3];
    for (size_t i = 0; i < 3; ++i) {
      auto v = required(args.as_array()[i], "Fn::FindInMap");
      if (!v) return v.takeError();
      keys[i] = scalarText(*v);
    }
    const Json* mappings = body_.if_contains("Mappings");
    const Json* v = mappings ? jsonAt(*mappings, {keys[0], keys[1], keys[2]}) : nullptr;
    if (!v) {
      if (args.as_array().size() == 4) {
        if (const Json* d = jsonAt(args.as_array()[3], {"DefaultValue"})) return resolve(*d);
      }
      return templateError("Unable to get mapping for " + keys[0] + "::" + keys[1] +
                           "::" + keys[2]);
    }
    return Out(*v);
  }
  if (name == "Fn::Base64") {
    auto v = required(args, "Fn::Base64");
    if (!v) return v.takeError();
    if (!v->is_string()) return templateError("Fn::Base64 requires a string");
    return Out(Json(base64Encode(v->as_string())));
  }
  if (name == "Fn::GetAZs") {
    const std::string& r = stack_.scope.region;
    return Out(Json(JsonArray{Json(r + "a"), Json(r + "b"), Json(r + "c")}));
  }
  if (name == "Fn::ImportValue") {
    auto v = required(args, "Fn::ImportValue");
    if (!v) return v.takeError();
    if (!v->is_string()) return templateError("Fn::ImportValue requires an export name");
    auto value = exports_ ? exports_(std::string(v->as_string())) : std::nullopt;
    if (!value)
      return validationError("No export named " + std::string(v->as_string()) + " found.");
    return Out(Json(*value));
  }
  return templateError("Unsupported intrinsic function " + name);
}

Result<std::optional<Json>> TemplateValues::resolve(const Json& value) {
  using Out = std::optional<Json>;
  if (value.is_array()) {
    JsonArray out;
    for (const Json& item : value.as_array()) {
      auto v = resolve(item);
      if (!v) return v.takeError();
      if (*v) out.push_back(std::move(**v));
    }
    return Out(Json(std::move(out)));
  }
  if (!value.is_object()) return Out(value);
  const JsonObject& o = value.as_object();
  if (isNoValue(value)) return Out();
  if (o.size() == 1) {
    const auto& kv = *o.begin();
    std::string key(kv.key());
    if (key == "Ref" || key.starts_with("Fn::") || (key == "Condition" && kv.value().is_string())) {
      return function(key, kv.value());
    }
  }
  JsonObject out;
  for (const auto& kv : o) {
    auto v = resolve(kv.value());
    if (!v) return v.takeError();
    if (*v) out[kv.key()] = std::move(**v);
  }
  return Out(Json(std::move(out)));
}

}  // namespace sluice::services::cloudformation
