// AddTagsToResource / RemoveTagsFromResource / ListTagsForResource for
// ResourceType "Parameter" (the only Systems Manager resource Sluice serves).
#include "services/common/input.hpp"
#include "services/ssm/ssm_service.hpp"

namespace sluice::services::ssm {

namespace {

// The parameter a tagging request names, or the error AWS gives.
Result<std::string> taggedName(const Json& in) {
  Input input(in);
  auto type = input.requiredString("ResourceType");
  if (!type) return type.error();
  auto id = input.requiredString("ResourceId");
  if (!id) return id.error();
  if (*type != "Parameter") {
    return AwsError{"InvalidResourceType",
                    "The resource type is not valid: Sluice serves tags for Parameter resources "
                    "only.",
                    400};
  }
  return std::move(*id);
}

AwsError invalidResourceId() {
  return {"InvalidResourceId", "The resource ID is not valid. Verify the ID and try again.", 400};
}

}  // namespace

Result<Change> SsmService::addTagsToResource(const Json& in, const CallContext& ctx) {
  auto name = taggedName(in);
  if (!name) return name.error();
  ParameterRecord* p = find(ctx.scope, *name);
  if (!p) return invalidResourceId();
  auto tags = readParameterTags(*Input(in).get("Tags"));
  if (!tags) return tags.error();
  auto merged = p->tags;
  for (auto& [k, v] : *tags) merged[k] = v;
  if (merged.size() > 50) {
    return AwsError{"TooManyTagsError",
                    "The Targets parameter includes too many tags. Remove one or more tags and "
                    "try the request again.",
                    400};
  }
  p->tags = std::move(merged);
  Change change;
  persist(change.batch, ctx.scope, *p);
  return change;
}

Result<Change> SsmService::removeTagsFromResource(const Json& in, const CallContext& ctx) {
  auto name = taggedName(in);
  if (!name) return name.error();
  ParameterRecord* p = find(ctx.scope, *name);
  if (!p) return invalidResourceId();
  const Json* keys = Input(in).get("TagKeys");
  bool changed = false;
  if (keys && keys->is_array()) {
    for (const Json& k : keys->as_array()) changed |= p->tags.erase(std::string(k.as_string())) > 0;
  }
  Change change;
  if (changed) persist(change.batch, ctx.scope, *p);
  return change;
}

Result<Change> SsmService::listTagsForResource(const Json& in, const CallContext& ctx) {
  auto name = taggedName(in);
  if (!name) return name.error();
  ParameterRecord* p = find(ctx.scope, *name);
  if (!p) return invalidResourceId();
  JsonArray list;
  for (const auto& [k, v] : p->tags) {
    JsonObject t;
    t["Key"] = k;
    t["Value"] = v;
    list.emplace_back(std::move(t));
  }
  JsonObject out;
  out["TagList"] = std::move(list);
  return Change(std::move(out));
}

}  // namespace sluice::services::ssm
