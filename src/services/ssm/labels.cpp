// LabelParameterVersion / UnlabelParameterVersion. A label names one version
// of a parameter at a time: labelling another version moves it.
#include <algorithm>
#include <set>

#include "services/common/input.hpp"
#include "services/ssm/ssm_service.hpp"

namespace sluice::services::ssm {

namespace {

constexpr size_t kMaxLabelsPerVersion = 10;

std::vector<std::string> readLabels(const Json& in) {
  std::vector<std::string> labels;
  if (const Json* l = Input(in).get("Labels"); l && l->is_array()) {
    for (const Json& e : l->as_array()) labels.emplace_back(e.as_string());
  }
  return labels;
}

JsonArray toArray(const std::vector<std::string>& v) {
  JsonArray a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

AwsError versionNotFound(int64_t version, const std::string& name) {
  return {"ParameterVersionNotFound",
          "Systems Manager could not find version " + std::to_string(version) + " of " + name +
              ". Verify the version and try again.",
          400};
}

}  // namespace

Result<Change> SsmService::labelParameterVersion(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto version = input.optionalInt("ParameterVersion");
  if (!version) return version.error();
  ParameterRecord* p = find(ctx.scope, *name);
  if (!p) return AwsError{"ParameterNotFound", "", 400};
  ParameterVersion* target = *version ? p->findVersion(**version) : &p->versions.back();
  if (!target) return versionNotFound(**version, *name);

  std::vector<std::string> valid, invalid;
  for (auto& l : readLabels(in)) {
    auto& bucket = isValidLabel(l) ? valid : invalid;
    if (std::find(bucket.begin(), bucket.end(), l) == bucket.end()) bucket.push_back(l);
  }
  std::set<std::string> after(target->labels.begin(), target->labels.end());
  after.insert(valid.begin(), valid.end());
  if (after.size() > kMaxLabelsPerVersion) {
    return AwsError{"ParameterVersionLabelLimitExceeded",
                    "A parameter version can have maximum 10 labels.Move one or more labels to "
                    "another version and try again.",
                    400};
  }
  for (const auto& l : valid) {
    for (auto& v : p->versions) {
      if (&v != target) std::erase(v.labels, l);
    }
    if (std::find(target->labels.begin(), target->labels.end(), l) == target->labels.end()) {
      target->labels.push_back(l);
    }
  }
  JsonObject out;
  out["InvalidLabels"] = toArray(invalid);
  out["ParameterVersion"] = target->version;
  Change change(std::move(out));
  if (!valid.empty()) persist(change.batch, ctx.scope, *p);
  return change;
}

Result<Change> SsmService::unlabelParameterVersion(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto version = input.optionalInt("ParameterVersion");
  if (!version) return version.error();
  if (!*version) return missingMember("parameterVersion");
  ParameterRecord* p = find(ctx.scope, *name);
  if (!p) return AwsError{"ParameterNotFound", "", 400};
  ParameterVersion* target = p->findVersion(**version);
  if (!target) return versionNotFound(**version, *name);
  std::vector<std::string> removed, invalid;
  for (auto& l : readLabels(in)) {
    auto it = std::find(target->labels.begin(), target->labels.end(), l);
    if (it == target->labels.end()) {
      if (std::find(removed.begin(), removed.end(), l) == removed.end()) invalid.push_back(l);
      continue;
    }
    target->labels.erase(it);
    removed.push_back(l);
  }
  JsonObject out;
  out["RemovedLabels"] = toArray(removed);
  out["InvalidLabels"] = toArray(invalid);
  Change change(std::move(out));
  if (!removed.empty()) persist(change.batch, ctx.scope, *p);
  return change;
}

}  // namespace sluice::services::ssm
