// GetParametersByPath and DescribeParameters: hierarchy walks and the
// ParameterStringFilter language (Name, Type, KeyId, Path, Label, Tier,
// DataType, tag:<key>).
#include <algorithm>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/ssm/ssm_service.hpp"

namespace sluice::services::ssm {

namespace {

enum class Door { ByPath, Describe };

struct Filter {
  std::string key;
  std::string option;  // Equals, BeginsWith, Contains, Recursive, OneLevel
  std::vector<std::string> values;
};

AwsError invalidKey(const std::string& key, Door door) {
  return {"InvalidFilterKey",
          "The following filter key is not valid: " + key + ". Valid filter keys include: " +
              (door == Door::ByPath ? "[Type, KeyId, Label, DataType, tag]."
                                    : "[Name, Type, KeyId, Path, Tier, DataType, tag]."),
          400};
}

AwsError invalidOption(const Filter& f, std::string_view valid) {
  return {"InvalidFilterOption",
          "The following filter option is not valid: " + f.option +
              ". Valid options include: " + std::string(valid) + ".",
          400};
}

std::string withSlash(std::string_view name) {
  return name.starts_with('/') ? std::string(name) : "/" + std::string(name);
}

Result<std::vector<Filter>> readFilters(const Json* list, Door door) {
  std::vector<Filter> out;
  if (!list || !list->is_array()) return out;
  for (const Json& e : list->as_array()) {
    const JsonObject& o = e.as_object();
    Filter f;
    f.key = std::string(o.at("Key").as_string());
    if (const Json* opt = o.if_contains("Option"); opt && opt->is_string()) {
      f.option = std::string(opt->get_string());
    }
    if (const Json* vals = o.if_contains("Values"); vals && vals->is_array()) {
      for (const Json& v : vals->as_array()) f.values.emplace_back(v.as_string());
    }
    bool isTag = f.key.starts_with("tag:");
    bool allowed = isTag || f.key == "Type" || f.key == "KeyId" || f.key == "DataType" ||
                   (door == Door::ByPath ? f.key == "Label"
                                         : f.key == "Name" || f.key == "Path" || f.key == "Tier");
    if (!allowed) return invalidKey(f.key, door);
    if (f.option.empty()) f.option = f.key == "Path" ? "OneLevel" : "Equals";
    if (f.key == "Name") {
      if (f.option != "Equals" && f.option != "BeginsWith" && f.option != "Contains") {
        return invalidOption(f, "[Equals, BeginsWith, Contains]");
      }
    } else if (f.key == "Path") {
      if (f.option != "Recursive" && f.option != "OneLevel") {
        return invalidOption(f, "[Recursive, OneLevel]");
      }
    } else if (f.option != "Equals") {
      return invalidOption(f, "[Equals]");
    }
    if (f.values.empty() && !isTag) {
      return AwsError{
          "InvalidFilterValue",
          "The following filter values are missing : null for filter key " + f.key + ".", 400};
    }
    if (f.key == "Path") {
      for (const auto& v : f.values) {
        if (auto r = checkPath(v); !r) {
          return AwsError{
              "InvalidFilterValue",
              "The following filter value is not valid: " + v + ". " + r.error().message, 400};
        }
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

// The legacy `Filters` of DescribeParameters (Name, Type, KeyId).
std::vector<Filter> readLegacyFilters(const Json* list) {
  std::vector<Filter> out;
  if (!list || !list->is_array()) return out;
  for (const Json& e : list->as_array()) {
    const JsonObject& o = e.as_object();
    Filter f;
    f.key = std::string(o.at("Key").as_string());
    f.option = f.key == "Name" ? "BeginsWith" : "Equals";
    for (const Json& v : o.at("Values").as_array()) f.values.emplace_back(v.as_string());
    out.push_back(std::move(f));
  }
  return out;
}

bool anyOf(const std::vector<std::string>& values, auto pred) {
  return std::any_of(values.begin(), values.end(), pred);
}

// Whether `p` (at version `v`) passes `f`. Label filters are applied by the
// caller, which picks the labelled version.
bool passes(const Filter& f, const ParameterRecord& p, const ParameterVersion& v) {
  if (f.key.starts_with("tag:")) {
    auto it = p.tags.find(f.key.substr(4));
    if (it == p.tags.end()) return false;
    return f.values.empty() || anyOf(f.values, [&](const auto& x) { return x == it->second; });
  }
  if (f.key == "Name") {
    std::string name = withSlash(p.name);
    return anyOf(f.values, [&](const std::string& x) {
      if (f.option == "Equals") return name == withSlash(x);
      if (f.option == "BeginsWith") return name.starts_with(withSlash(x));
      return p.name.find(x) != std::string::npos;
    });
  }
  if (f.key == "Path") {
    return anyOf(f.values,
                 [&](const auto& x) { return isUnderPath(p.name, x, f.option == "Recursive"); });
  }
  const std::string& field = f.key == "Type"       ? v.type
                             : f.key == "KeyId"    ? v.keyId
                             : f.key == "Tier"     ? v.tier
                             : f.key == "DataType" ? v.dataType
                                                   : v.type;
  return anyOf(f.values, [&](const auto& x) { return x == field; });
}

Result<size_t> readLimit(const Input& input, size_t defaultLimit) {
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  return max->value_or(static_cast<int64_t>(defaultLimit));
}

Result<std::string> readToken(const Input& input) {
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  if (!*token) return std::string();
  auto key = decodePageToken(**token);
  if (!key) return AwsError{"InvalidNextToken", "The specified token isn't valid.", 400};
  return std::move(*key);
}

}  // namespace

Result<Change> SsmService::getParametersByPath(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto path = input.requiredString("Path");
  if (!path) return path.error();
  if (auto r = checkPath(*path); !r) return r.error();
  auto recursive = input.optionalBool("Recursive");
  if (!recursive) return recursive.error();
  auto decrypt = input.optionalBool("WithDecryption");
  if (!decrypt) return decrypt.error();
  auto filters = readFilters(input.get("ParameterFilters"), Door::ByPath);
  if (!filters) return filters.error();
  auto limit = readLimit(input, 10);
  if (!limit) return limit.error();
  auto after = readToken(input);
  if (!after) return after.error();

  std::vector<std::string> labels;
  for (const auto& f : *filters) {
    if (f.key == "Label") labels.insert(labels.end(), f.values.begin(), f.values.end());
  }
  JsonArray params;
  std::string last;
  bool more = false;
  auto& all = parametersOf(ctx.scope);
  for (auto it = after->empty() ? all.begin() : all.upper_bound(*after); it != all.end(); ++it) {
    ParameterRecord& p = it->second;
    if (!isUnderPath(p.name, *path, recursive->value_or(false))) continue;
    const ParameterVersion* v = &p.latest();
    if (!labels.empty()) {
      v = nullptr;
      for (const auto& l : labels) {
        if ((v = p.findLabel(l))) break;
      }
      if (!v) continue;
    }
    bool ok = std::all_of(filters->begin(), filters->end(),
                          [&](const Filter& f) { return f.key == "Label" || passes(f, p, *v); });
    if (!ok) continue;
    if (params.size() == *limit) {
      more = true;
      break;
    }
    auto param = parameterJson(ctx.scope, p, *v, decrypt->value_or(false), "");
    if (!param) return param.error();
    params.emplace_back(std::move(*param));
    last = it->first;
  }
  JsonObject out;
  out["Parameters"] = std::move(params);
  if (more) out["NextToken"] = encodePageToken(last);
  return Change(std::move(out));
}

Result<Change> SsmService::describeParameters(const Json& in, const CallContext& ctx) {
  Input input(in);
  if (input.has("Filters") && input.has("ParameterFilters")) {
    return AwsError::validation(
        "You can use either Filters or ParameterFilters in a single "
        "request.");
  }
  auto filters = input.has("Filters")
                     ? Result<std::vector<Filter>>(readLegacyFilters(input.get("Filters")))
                     : readFilters(input.get("ParameterFilters"), Door::Describe);
  if (!filters) return filters.error();
  auto limit = readLimit(input, 50);
  if (!limit) return limit.error();
  auto after = readToken(input);
  if (!after) return after.error();

  JsonArray params;
  std::string last;
  bool more = false;
  auto& all = parametersOf(ctx.scope);
  for (auto it = after->empty() ? all.begin() : all.upper_bound(*after); it != all.end(); ++it) {
    const ParameterRecord& p = it->second;
    const ParameterVersion& v = p.latest();
    if (!std::all_of(filters->begin(), filters->end(),
                     [&](const Filter& f) { return passes(f, p, v); })) {
      continue;
    }
    if (params.size() == *limit) {
      more = true;
      break;
    }
    JsonObject o;
    o["Name"] = p.name;
    o["ARN"] = parameterArn(ctx.scope, p.name);
    o["Type"] = v.type;
    if (!v.keyId.empty()) o["KeyId"] = v.keyId;
    o["LastModifiedDate"] = epochSeconds(v.modified);
    o["LastModifiedUser"] = v.user;
    if (!v.description.empty()) o["Description"] = v.description;
    if (!v.allowedPattern.empty()) o["AllowedPattern"] = v.allowedPattern;
    o["Version"] = v.version;
    o["Tier"] = v.tier;
    o["Policies"] = parameterPoliciesJson(v.policies);
    o["DataType"] = v.dataType;
    params.emplace_back(std::move(o));
    last = it->first;
  }
  JsonObject out;
  out["Parameters"] = std::move(params);
  if (more) out["NextToken"] = encodePageToken(last);
  return Change(std::move(out));
}

}  // namespace sluice::services::ssm
