// TagResource, UntagResource, GetTags for databases, tables and crawlers
// (CreateDatabase and CreateCrawler take Tags too). Tags are documents of glue_tags keyed by the
// resource ARN, removed with their resource.
#include "services/common/input.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr size_t kMaxTags = 50;

Json tagsJson(const std::map<std::string, std::string>& tags) {
  JsonObject o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

}  // namespace

Result<std::string> GlueService::taggable(const Scope& scope, const std::string& arn) {
  std::string prefix = "arn:aws:glue:" + scope.region + ":" + scope.account + ":";
  if (!arn.starts_with(prefix)) {
    return invalidInput("The resource ARN " + arn +
                        " is not a Glue resource of this account "
                        "and region.");
  }
  std::string rest = arn.substr(prefix.size());
  if (rest.starts_with("database/")) {
    if (auto d = database(scope, rest.substr(9)); !d) return d.error();
    return prefix + "database/" + lowerName(rest.substr(9));
  }
  if (rest.starts_with("table/")) {
    std::string path = rest.substr(6);
    auto slash = path.find('/');
    if (slash == std::string::npos) return invalidInput("Invalid table ARN: " + arn);
    if (auto t = table(scope, path.substr(0, slash), path.substr(slash + 1)); !t) {
      return t.error();
    }
    return prefix + "table/" + lowerName(path);
  }
  if (rest.starts_with("crawler/")) {
    if (auto c = crawler(scope, rest.substr(8)); !c) return c.error();
    return arn;
  }
  if (rest.starts_with("job/")) {
    if (auto j = job(scope, rest.substr(4)); !j) return j.error();
    return arn;
  }
  return invalidInput("Sluice tags Glue databases, tables, crawlers and jobs; " + arn +
                      " is none of them.");
}

Result<void> GlueService::addTags(Change& change, const Scope& scope, const std::string& arn,
                                  const Json& tags) {
  if (!tags.is_object()) return invalidInput("Tags must be a map of strings.");
  auto merged = tags_[arn];
  for (const auto& kv : tags.as_object()) {
    if (!kv.value().is_string()) return invalidInput("Tag values must be strings.");
    merged[std::string(kv.key())] = kv.value().get_string();
  }
  if (merged.size() > kMaxTags) {
    return invalidInput("A resource can have at most " + std::to_string(kMaxTags) + " tags.");
  }
  tags_[arn] = merged;
  change.batch.put("glue_tags", scope, arn, tagsJson(merged));
  return {};
}

void GlueService::dropTags(Change& change, const Scope& scope, const std::string& arn) {
  if (tags_.erase(arn)) change.batch.erase("glue_tags", scope, arn);
}

Result<Change> GlueService::tagResource(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("ResourceArn");
  if (!arn) return arn.error();
  auto key = taggable(ctx.scope, *arn);
  if (!key) return key.error();
  const Json* add = Input(in).get("TagsToAdd");
  Change change;
  if (auto r = addTags(change, ctx.scope, *key, add ? *add : Json(JsonObject{})); !r) {
    return r.error();
  }
  return change;
}

Result<Change> GlueService::untagResource(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("ResourceArn");
  if (!arn) return arn.error();
  auto key = taggable(ctx.scope, *arn);
  if (!key) return key.error();
  Change change;
  auto& tags = tags_[*key];
  if (const Json* remove = Input(in).get("TagsToRemove"); remove && remove->is_array()) {
    for (const Json& k : remove->as_array()) {
      if (k.is_string()) tags.erase(std::string(k.get_string()));
    }
  }
  change.batch.put("glue_tags", ctx.scope, *key, tagsJson(tags));
  return change;
}

Result<Change> GlueService::getTags(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("ResourceArn");
  if (!arn) return arn.error();
  auto key = taggable(ctx.scope, *arn);
  if (!key) return key.error();
  auto it = tags_.find(*key);
  return Change(
      JsonObject{{"Tags", it == tags_.end() ? Json(JsonObject{}) : tagsJson(it->second)}});
}

}  // namespace sluice::services::glue
