// TagResource, UntagResource, ListTagsForResource for workgroups (the
// `primary` one included) and the AwsDataCatalog, and the Tags of
// CreateWorkGroup. Tags are documents of athena_tags keyed by ARN, held in
// memory and written through (small configuration); a deleted workgroup's
// go with it.
#include "services/athena/athena_errors.hpp"
#include "services/athena/athena_service.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::athena {

namespace {

constexpr const char* kTagTable = "athena_tags";
constexpr size_t kMaxTags = 50;

AwsError notFound(const std::string& arn) {
  return AwsError{"ResourceNotFoundException", "Resource " + arn + " was not found.", 400}.with(
      "ResourceName", arn);
}

}  // namespace

std::string AthenaService::workGroupArn(const Scope& scope, const std::string& name) {
  return "arn:aws:athena:" + scope.region + ":" + scope.account + ":workgroup/" + name;
}

Result<void> AthenaService::loadTags() {
  return docs_.scan(kTagTable, [this](const Scope&, const std::string& arn, Json doc) {
    for (const auto& kv : doc.as_object()) {
      tags_[arn][std::string(kv.key())] = std::string(kv.value().as_string());
    }
  });
}

Result<std::string> AthenaService::taggable(const Scope& scope, const Input& input) {
  auto arn = input.requiredString("ResourceARN");
  if (!arn) return arn.error();
  std::string prefix = "arn:aws:athena:" + scope.region + ":" + scope.account + ":";
  if (!arn->starts_with(prefix)) return notFound(*arn);
  std::string resource = arn->substr(prefix.size());
  if (resource.starts_with("workgroup/")) {
    if (!effectiveWorkGroup(scope, resource.substr(10))) return notFound(*arn);
    return *arn;
  }
  if (resource == "datacatalog/AwsDataCatalog") return *arn;
  return notFound(*arn);
}

Result<void> AthenaService::addTags(DocumentBatch& batch, const Scope& scope,
                                    const std::string& arn, const Json& tags) {
  if (!tags.is_array()) return invalidRequest("Tags must be a list of Key and Value.");
  auto merged = tags_.count(arn) ? tags_.at(arn) : std::map<std::string, std::string>{};
  for (const Json& t : tags.as_array()) {
    const Json* k = t.is_object() ? t.as_object().if_contains("Key") : nullptr;
    const Json* v = t.is_object() ? t.as_object().if_contains("Value") : nullptr;
    if (!k || !k->is_string() || k->get_string().empty() || k->get_string().size() > 128) {
      return invalidRequest("Tag keys must be 1 to 128 characters.");
    }
    if (v && (!v->is_string() || v->get_string().size() > 256)) {
      return invalidRequest("Tag values must be at most 256 characters.");
    }
    merged[std::string(k->get_string())] = v ? std::string(v->get_string()) : "";
  }
  if (merged.size() > kMaxTags) {
    return invalidRequest("A resource can have at most " + std::to_string(kMaxTags) + " tags.");
  }
  storeTags(batch, scope, arn, std::move(merged));
  return {};
}

void AthenaService::storeTags(DocumentBatch& batch, const Scope& scope, const std::string& arn,
                              std::map<std::string, std::string> tags) {
  if (tags.empty()) {
    batch.erase(kTagTable, scope, arn);
    tags_.erase(arn);
    return;
  }
  JsonObject doc;
  for (const auto& [k, v] : tags) doc[k] = v;
  batch.put(kTagTable, scope, arn, doc);
  tags_[arn] = std::move(tags);
}

Result<Change> AthenaService::tagResource(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto arn = taggable(ctx.scope, input);
  if (!arn) return arn.error();
  const Json* tags = input.get("Tags");
  if (!tags) return invalidRequest("Tags is required.");
  Change change;
  if (auto added = addTags(change.batch, ctx.scope, *arn, *tags); !added) return added.error();
  return change;
}

Result<Change> AthenaService::untagResource(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto arn = taggable(ctx.scope, input);
  if (!arn) return arn.error();
  const Json* keys = input.get("TagKeys");
  if (!keys || !keys->is_array()) return invalidRequest("TagKeys is required.");
  auto kept = tags_.count(*arn) ? tags_.at(*arn) : std::map<std::string, std::string>{};
  for (const Json& k : keys->as_array()) {
    if (k.is_string()) kept.erase(std::string(k.get_string()));
  }
  Change change;
  storeTags(change.batch, ctx.scope, *arn, std::move(kept));
  return change;
}

Result<Change> AthenaService::listTagsForResource(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto arn = taggable(ctx.scope, input);
  if (!arn) return arn.error();
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  if (*max && **max < 75) return invalidRequest("MaxResults must be at least 75.");
  size_t limit = static_cast<size_t>(max->value_or(100));
  std::string after;
  if (auto token = input.optionalString("NextToken"); !token) {
    return token.error();
  } else if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    if (!key) return invalidRequest("Invalid NextToken.");
    after = *key;
  }
  JsonArray out;
  std::string last;
  bool more = false;
  if (auto it = tags_.find(*arn); it != tags_.end()) {
    for (auto t = it->second.upper_bound(after); t != it->second.end(); ++t) {
      if (out.size() == limit) {
        more = true;
        break;
      }
      out.push_back(JsonObject{{"Key", t->first}, {"Value", t->second}});
      last = t->first;
    }
  }
  JsonObject r{{"Tags", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

}  // namespace sluice::services::athena
