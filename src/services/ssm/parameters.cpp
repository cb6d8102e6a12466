// PutParameter, GetParameter(s), GetParameterHistory, DeleteParameter(s).
#include <algorithm>
#include <regex>
#include <set>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/model/service_model.hpp"
#include "services/ssm/ssm_service.hpp"

namespace sluice::services::ssm {

namespace {

constexpr size_t kStandardValueLimit = 4096;
constexpr size_t kAdvancedValueLimit = 8192;
constexpr size_t kMaxTags = 50;

struct PutRequest {
  std::string name, value;
  std::optional<std::string> type, keyId, allowedPattern, tier, policies, dataType, description;
  bool overwrite = false;
  const Json* tags = nullptr;
};

Result<PutRequest> readPut(const Json& in) {
  Input input(in);
  PutRequest r;
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto value = input.requiredString("Value");
  if (!value) return value.error();
  r.name = std::move(*name);
  r.value = std::move(*value);
  for (auto [member, slot] : {std::pair{"Type", &r.type},
                              {"KeyId", &r.keyId},
                              {"AllowedPattern", &r.allowedPattern},
                              {"Tier", &r.tier},
                              {"Policies", &r.policies},
                              {"DataType", &r.dataType},
                              {"Description", &r.description}}) {
    auto v = input.optionalString(member);
    if (!v) return v.error();
    *slot = std::move(*v);
  }
  auto overwrite = input.optionalBool("Overwrite");
  if (!overwrite) return overwrite.error();
  r.overwrite = overwrite->value_or(false);
  if (input.has("Tags")) r.tags = input.get("Tags");
  return r;
}

// Parameter policies: a JSON array of {Type, Version, Attributes} with the
// three types Parameter Store knows.
Result<Json> checkPolicies(const std::string& text) {
  auto parsed = parseJson(text);
  if (!parsed || !parsed->is_array() || parsed->as_array().empty()) {
    return AwsError{"InvalidPolicyAttributeException",
                    "A policy attribute or its value is invalid.", 400};
  }
  JsonArray out;
  std::set<std::string> seen;
  for (const Json& p : parsed->as_array()) {
    const JsonObject* o = p.if_object();
    const Json* type = o ? o->if_contains("Type") : nullptr;
    std::string t = type && type->is_string() ? std::string(type->get_string()) : "";
    if (t != "Expiration" && t != "ExpirationNotification" && t != "NoChangeNotification") {
      return AwsError{"InvalidPolicyTypeException",
                      "The policy type is not supported. Parameter Store supports the following "
                      "policy types: Expiration, ExpirationNotification, and NoChangeNotification.",
                      400};
    }
    const Json* attrs = o->if_contains("Attributes");
    if (!attrs || !attrs->is_object()) {
      return AwsError{"InvalidPolicyAttributeException",
                      "A policy attribute or its value is invalid.", 400};
    }
    if (!seen.insert(t).second) {
      return AwsError{"IncompatiblePolicyException",
                      "There is a conflict in the policies specified for this parameter. You "
                      "can't, for example, specify two Expiration policies for a parameter.",
                      400};
    }
    JsonObject entry;
    entry["PolicyText"] = toJsonText(p);
    entry["PolicyType"] = t;
    entry["PolicyStatus"] = "Pending";
    out.emplace_back(std::move(entry));
  }
  return Json(std::move(out));
}

Result<void> checkDataType(const std::string& dataType, const std::string& type,
                           const std::string& value) {
  if (dataType != "text" && dataType != "aws:ec2:image" && dataType != "aws:ssm:integration") {
    return AwsError::validation("The following data type is not supported: " + dataType +
                                " (Data type names are all lowercase.)");
  }
  if (dataType != "text" && type != "String") {
    return AwsError::validation("Data type " + dataType +
                                " is supported only for parameters of type String.");
  }
  static const std::regex ami("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  if (dataType == "aws:ec2:image" && !std::regex_match(value, ami)) {
    return AwsError::validation("Parameter value " + value +
                                " is not a valid AMI ID (ami-12345abcdeEXAMPLE) for data type "
                                "aws:ec2:image.");
  }
  return {};
}

Result<void> checkAllowedPattern(const std::string& pattern, const std::string& value) {
  bool matches = false;
  try {
    matches = model::javaPatternMatches(pattern, value);
  } catch (const std::exception&) {
    return AwsError{"InvalidAllowedPatternException",
                    "The request does not meet the regular expression requirement.", 400};
  }
  if (!matches) {
    return AwsError{"ParameterPatternMismatchException",
                    "Parameter value, cannot be validated against allowedPattern: " + pattern, 400};
  }
  return {};
}

Result<std::map<std::string, std::string>> readTags(const Json& tags) {
  std::map<std::string, std::string> out;
  for (const Json& t : tags.as_array()) {
    const JsonObject& o = t.as_object();
    out[std::string(o.at("Key").as_string())] = std::string(o.at("Value").as_string());
  }
  if (out.size() > kMaxTags) {
    return AwsError{"TooManyTagsError",
                    "The Targets parameter includes too many tags. Remove one or more tags and "
                    "try the request again.",
                    400};
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> readParameterTags(const Json& tags) {
  return readTags(tags);
}

Json parameterPoliciesJson(const std::string& text) {
  if (text.empty()) return JsonArray{};
  auto checked = checkPolicies(text);
  return checked ? std::move(*checked) : Json(JsonArray{});
}

Result<Change> SsmService::putParameter(const Json& in, const CallContext& ctx) {
  auto req = readPut(in);
  if (!req) return req.error();
  const Scope& scope = ctx.scope;
  if (auto r = checkParameterName(req->name, scope); !r) return r.error();
  if (req->tags && req->overwrite) {
    return AwsError::validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter "
        "with tags, please remove overwrite flag. To update tags for an existing parameter, "
        "please use AddTagsToResource or RemoveTagsFromResource.");
  }
  if (req->value.empty()) {
    return AwsError::validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member "
        "must have length greater than or equal to 1");
  }
  ParameterRecord* existing = find(scope, req->name);
  if (existing && !req->overwrite) {
    return AwsError{"ParameterAlreadyExists",
                    "The parameter already exists. To overwrite this value, set the overwrite "
                    "option in the request to true.",
                    400};
  }
  const ParameterVersion* prev = existing ? &existing->latest() : nullptr;
  if (!prev && !req->type) {
    return AwsError::validation("A parameter type is required when you create a parameter.");
  }

  ParameterVersion v;
  v.version = prev ? prev->version + 1 : 1;
  v.type = req->type ? *req->type : prev->type;
  v.dataType = req->dataType ? *req->dataType : (prev ? prev->dataType : "text");
  if (v.dataType.empty()) v.dataType = "text";
  if (auto r = checkDataType(v.dataType, v.type, req->value); !r) return r.error();
  v.description = req->description ? *req->description : (prev ? prev->description : "");
  v.allowedPattern =
      req->allowedPattern ? *req->allowedPattern : (prev ? prev->allowedPattern : "");
  if (!v.allowedPattern.empty()) {
    if (auto r = checkAllowedPattern(v.allowedPattern, req->value); !r) return r.error();
  }
  if (req->policies) {
    if (auto r = checkPolicies(*req->policies); !r) return r.error();
    v.policies = *req->policies;
  }

  // Tier: Intelligent-Tiering picks Advanced only when the parameter needs it.
  std::string prevTier = prev ? prev->tier : "Standard";
  std::string tier = req->tier ? *req->tier : prevTier;
  if (tier == "Intelligent-Tiering") {
    bool needsAdvanced = req->value.size() > kStandardValueLimit || !v.policies.empty();
    tier = needsAdvanced || prevTier == "Advanced" ? "Advanced" : "Standard";
  }
  if (prevTier == "Advanced" && tier == "Standard") {
    return AwsError::validation(
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from "
        "the advanced-parameter tier to the standard-parameter tier. If necessary, you can "
        "delete the advanced parameter and recreate it as a standard parameter.");
  }
  if (tier == "Standard" && req->value.size() > kStandardValueLimit) {
    return AwsError::validation(
        "Standard tier parameters support a maximum parameter value of 4096 characters. To "
        "create a larger parameter value, upgrade the parameter to use the advanced-parameter "
        "tier. For more information, see "
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
        "parameter-store-advanced-parameters.html");
  }
  if (req->value.size() > kAdvancedValueLimit) {
    return AwsError::validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member "
        "must have length less than or equal to 8192");
  }
  if (tier == "Standard" && !v.policies.empty()) {
    return AwsError::validation(
        "Parameter policies are supported only for parameters in the advanced-parameter tier. "
        "Set the tier to Advanced or Intelligent-Tiering.");
  }
  v.tier = tier;
  std::map<std::string, std::string> tags;
  if (req->tags) {
    auto t = readTags(*req->tags);
    if (!t) return t.error();
    tags = std::move(*t);
  }
  if (existing && existing->versions.size() >= kMaxVersions &&
      !existing->versions.front().labels.empty()) {
    return AwsError{"ParameterMaxVersionLimitExceeded",
                    "You attempted to create a new version of " + req->name +
                        " by calling the PutParameter API with the overwrite flag. Version " +
                        std::to_string(existing->versions.front().version) +
                        ", the oldest version, can't be deleted because it has a label "
                        "associated with it. Move the label to another version of the "
                        "parameter, and try creating a new version again.",
                    400};
  }

  if (v.type == "SecureString") {
    v.keyId =
        req->keyId ? *req->keyId : (prev && !prev->keyId.empty() ? prev->keyId : "alias/aws/ssm");
    auto sealed = seal(scope, req->name, req->value);
    if (!sealed) return sealed.error();
    v.value = std::move(*sealed);
  } else {
    v.value = req->value;
  }
  v.user = "arn:aws:iam::" + scope.account + ":root";
  v.modified = clock_.now();

  ParameterRecord& p = existing ? *existing : parametersOf(scope)[parameterKey(req->name)];
  if (!existing) {
    p.name = req->name;
    p.tags = std::move(tags);
  }
  if (p.versions.size() >= kMaxVersions) p.versions.erase(p.versions.begin());
  p.versions.push_back(std::move(v));

  JsonObject out;
  out["Version"] = p.latest().version;
  out["Tier"] = p.latest().tier;
  Change change(std::move(out));
  persist(change.batch, scope, p);
  return change;
}

Result<Change> SsmService::getParameter(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto decrypt = input.optionalBool("WithDecryption");
  if (!decrypt) return decrypt.error();
  auto ref = parseParameterRef(*name);
  if (!ref) return ref.error();
  auto found = resolve(ctx.scope, *ref);
  if (!found) return found.error();
  auto param = parameterJson(ctx.scope, *found->first, *found->second, decrypt->value_or(false),
                             ref->selector);
  if (!param) return param.error();
  JsonObject out;
  out["Parameter"] = std::move(*param);
  return Change(std::move(out));
}

Result<Change> SsmService::getParameters(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto decrypt = input.optionalBool("WithDecryption");
  if (!decrypt) return decrypt.error();
  const Json* names = input.get("Names");
  if (!names || !names->is_array()) return missingMember("names");
  JsonArray params, invalid;
  std::set<std::string> seen;
  for (const Json& n : names->as_array()) {
    std::string text(n.as_string());
    if (!seen.insert(text).second) continue;
    auto ref = parseParameterRef(text);
    auto found = ref ? resolve(ctx.scope, *ref)
                     : Result<std::pair<ParameterRecord*, ParameterVersion*>>(ref.error());
    if (!found) {
      invalid.emplace_back(text);
      continue;
    }
    auto param = parameterJson(ctx.scope, *found->first, *found->second, decrypt->value_or(false),
                               ref->selector);
    if (!param) return param.error();
    params.emplace_back(std::move(*param));
  }
  JsonObject out;
  out["Parameters"] = std::move(params);
  out["InvalidParameters"] = std::move(invalid);
  return Change(std::move(out));
}

Result<Change> SsmService::getParameterHistory(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto decrypt = input.optionalBool("WithDecryption");
  if (!decrypt) return decrypt.error();
  auto maxResults = input.optionalInt("MaxResults");
  if (!maxResults) return maxResults.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  auto ref = parseParameterRef(*name);
  if (!ref) return ref.error();
  ParameterRecord* p = find(ctx.scope, ref->name);
  if (!p) return AwsError{"ParameterNotFound", "", 400};
  size_t start = 0;
  if (*token) {
    auto key = decodePageToken(**token);
    if (!key || key->empty() || !std::all_of(key->begin(), key->end(), ::isdigit)) {
      return AwsError{"InvalidNextToken", "The specified token isn't valid.", 400};
    }
    start = std::stoul(*key);
  }
  size_t limit = static_cast<size_t>(maxResults->value_or(50));
  JsonArray entries;
  size_t i = start;
  for (; i < p->versions.size() && entries.size() < limit; ++i) {
    const ParameterVersion& v = p->versions[i];
    auto value = visibleValue(ctx.scope, *p, v, decrypt->value_or(false));
    if (!value) return value.error();
    JsonObject o;
    o["Name"] = p->name;
    o["Type"] = v.type;
    if (!v.keyId.empty()) o["KeyId"] = v.keyId;
    o["LastModifiedDate"] = epochSeconds(v.modified);
    o["LastModifiedUser"] = v.user;
    if (!v.description.empty()) o["Description"] = v.description;
    o["Value"] = std::move(*value);
    if (!v.allowedPattern.empty()) o["AllowedPattern"] = v.allowedPattern;
    o["Version"] = v.version;
    JsonArray labels;
    for (const auto& l : v.labels) labels.emplace_back(l);
    o["Labels"] = std::move(labels);
    o["Tier"] = v.tier;
    o["Policies"] = parameterPoliciesJson(v.policies);
    o["DataType"] = v.dataType;
    entries.emplace_back(std::move(o));
  }
  JsonObject out;
  out["Parameters"] = std::move(entries);
  if (i < p->versions.size()) out["NextToken"] = encodePageToken(std::to_string(i));
  return Change(std::move(out));
}

Result<Change> SsmService::deleteParameter(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto& params = parametersOf(ctx.scope);
  auto it = params.find(parameterKey(*name));
  if (it == params.end()) return AwsError{"ParameterNotFound", "", 400};
  Change change;
  forget(change.batch, ctx.scope, it->second);
  params.erase(it);
  return change;
}

Result<Change> SsmService::deleteParameters(const Json& in, const CallContext& ctx) {
  Input input(in);
  const Json* names = input.get("Names");
  if (!names || !names->is_array()) return missingMember("names");
  auto& params = parametersOf(ctx.scope);
  JsonArray deleted, invalid;
  Change change;
  for (const Json& n : names->as_array()) {
    std::string name(n.as_string());
    auto it = params.find(parameterKey(name));
    if (it == params.end()) {
      invalid.emplace_back(name);
      continue;
    }
    forget(change.batch, ctx.scope, it->second);
    params.erase(it);
    deleted.emplace_back(name);
  }
  JsonObject out;
  out["DeletedParameters"] = std::move(deleted);
  out["InvalidParameters"] = std::move(invalid);
  change.response = std::move(out);
  return change;
}

}  // namespace sluice::services::ssm
