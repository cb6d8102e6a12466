// TagResource, UntagResource, ListTagsForResource (state machines, activities).
#include "services/common/input.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {
AwsError resourceNotFound(const std::string& arn) {
  return {"ResourceNotFound", "Resource not found: '" + arn + "'", 400};
}
}  // namespace

Result<Json> StatesService::tagResource(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("resourceArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::StateMachine, ResourceKind::Activity});
  if (!parsed) return parsed.error();
  if (!machines_.count(*arn) && !activities_.count(*arn)) return resourceNotFound(*arn);
  const Json* tags = input.get("tags");
  if (!tags || !tags->is_array()) return missingMember("tags");
  std::map<std::string, std::string> updates;
  for (const auto& t : tags->as_array()) {
    const Json* k = t.is_object() ? t.as_object().if_contains("key") : nullptr;
    const Json* v = t.is_object() ? t.as_object().if_contains("value") : nullptr;
    if (!k || !k->is_string()) return missingMember("tags.member.key");
    updates[std::string(k->get_string())] = v && v->is_string() ? std::string(v->get_string()) : "";
  }
  auto& current = tags_[*arn];
  std::map<std::string, std::string> merged = current;
  for (auto& [k, v] : updates) merged[k] = v;
  if (merged.size() > 50) {
    return AwsError{"TooManyTags", "Too many tags: the resource may have at most 50 tags", 400};
  }
  current = std::move(merged);
  return Json(JsonObject{});
}

Result<Json> StatesService::untagResource(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("resourceArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::StateMachine, ResourceKind::Activity});
  if (!parsed) return parsed.error();
  if (!machines_.count(*arn) && !activities_.count(*arn)) return resourceNotFound(*arn);
  const Json* keys = input.get("tagKeys");
  if (!keys || !keys->is_array()) return missingMember("tagKeys");
  auto& current = tags_[*arn];
  for (const auto& k : keys->as_array()) {
    if (k.is_string()) current.erase(std::string(k.get_string()));
  }
  return Json(JsonObject{});
}

Result<Json> StatesService::listTagsForResource(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("resourceArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::StateMachine, ResourceKind::Activity});
  if (!parsed) return parsed.error();
  if (!machines_.count(*arn) && !activities_.count(*arn)) return resourceNotFound(*arn);
  JsonArray tags;
  if (auto it = tags_.find(*arn); it != tags_.end()) {
    for (const auto& [k, v] : it->second) {
      JsonObject t;
      t["key"] = k;
      t["value"] = v;
      tags.push_back(std::move(t));
    }
  }
  JsonObject out;
  out["tags"] = std::move(tags);
  return Json(std::move(out));
}

}  // namespace sluice::services::states
