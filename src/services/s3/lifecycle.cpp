// PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
// DeleteBucketLifecycle, and the x-amz-expiration value reads report.
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

constexpr char kConfig[] = "Lifecycle";
constexpr char kDefaultMinimumSize[] = "all_storage_classes_128K";

AwsError noSuchLifecycleConfiguration() {
  return {"NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 404};
}

// Rules as Get returns them: with their IDs, Dates as timestamps.
Json storedRules(const Json& given, const std::vector<LifecycleRule>& parsed) {
  JsonArray rules;
  const auto& list = given.at("Rules").as_array();
  for (size_t i = 0; i < list.size(); ++i) {
    JsonObject r = list[i].as_object();
    r["ID"] = parsed[i].id;
    rules.push_back(std::move(r));
  }
  return JsonObject{{"Rules", std::move(rules)}};
}

}  // namespace

Result<Json> S3Service::putBucketLifecycleConfiguration(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  const Json* config = in.as_object().if_contains("LifecycleConfiguration");
  if (!config || config->is_null()) return errors::malformedXml();
  auto rules = parseLifecycle(*config, [this] { return ids_.uuid(); });
  if (!rules) return rules.takeError();
  JsonObject stored = storedRules(*config, *rules).as_object();
  stored["TransitionDefaultMinimumObjectSize"] =
      optStr(in, "TransitionDefaultMinimumObjectSize").value_or(kDefaultMinimumSize);
  if (auto r = meta_->setBucketConfig(bucket, kConfig, stored); !r) return r.error();
  return Json(JsonObject{
      {"TransitionDefaultMinimumObjectSize", stored.at("TransitionDefaultMinimumObjectSize")}});
}

Result<Json> S3Service::getBucketLifecycleConfiguration(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  const Json* config = b->config.as_object().if_contains(kConfig);
  if (!config || !config->is_object()) return noSuchLifecycleConfiguration();
  return *config;
}

Result<Json> S3Service::deleteBucketLifecycle(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  if (auto r = meta_->setBucketConfig(bucket, kConfig, nullptr); !r) return r.error();
  return Json(JsonObject{});
}

std::optional<std::string> S3Service::expirationOf(const ObjectRecord& o) {
  auto b = meta_->bucket(o.bucket);
  if (!b || !*b) return std::nullopt;
  const Json* config = (*b)->config.as_object().if_contains(kConfig);
  if (!config || !config->is_object()) return std::nullopt;
  auto rules = parseLifecycle(*config, [] { return std::string(); });
  if (!rules) return std::nullopt;
  const Json* tags = o.attrs.as_object().if_contains("Tags");
  std::optional<std::pair<TimePoint, std::string>> soonest;
  for (const auto& r : *rules) {
    if (!r.enabled || !(r.expirationDays || r.expirationDate)) continue;
    if (!lifecycleMatches(r.filter, o.key, o.size, tags ? *tags : Json(JsonObject{}))) continue;
    TimePoint at =
        r.expirationDate ? *r.expirationDate : lifecycleDue(o.lastModified, *r.expirationDays);
    if (!soonest || at < soonest->first) soonest = {at, r.id};
  }
  if (!soonest) return std::nullopt;
  return "expiry-date=\"" + formatHttpDate(soonest->first) + "\", rule-id=\"" + soonest->second +
         "\"";
}

}  // namespace sluice::services::s3
