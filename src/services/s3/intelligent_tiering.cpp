// PutBucketIntelligentTieringConfiguration, GetBucketIntelligentTieringConfiguration,
// DeleteBucketIntelligentTieringConfiguration, ListBucketIntelligentTieringConfigurations.
// The configurations are one bucket sub-resource, {"<Id>": configuration},
// updated in place so concurrent puts of different ids keep each other.
// What they do to objects: tiering_rules.hpp, run by the daily pass.
#include <algorithm>

#include "core/encoding.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"
#include "services/s3/tiering_rules.hpp"

namespace sluice::services::s3 {

namespace {

constexpr char kConfig[] = "IntelligentTiering";
// Configurations per ListBucketIntelligentTieringConfigurations page.
constexpr size_t kPageSize = 100;

AwsError noSuchConfiguration() {
  return {"NoSuchConfiguration", "The specified configuration does not exist.", 404};
}

const JsonObject* configurations(const BucketRecord& b) {
  const Json* c = b.config.as_object().if_contains(kConfig);
  return c && c->is_object() ? &c->as_object() : nullptr;
}

}  // namespace

Result<Json> S3Service::putBucketIntelligentTieringConfiguration(const Json& in,
                                                                 const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  const Json* config = in.as_object().if_contains("IntelligentTieringConfiguration");
  if (!config || !config->is_object()) return errors::malformedXml();
  auto parsed = parseTieringConfig(*config);
  if (!parsed) return parsed.takeError();
  std::string id = str(in, "Id");
  if (parsed->id != id) {
    return errors::invalidArgument(
        "The Id in the request does not match the Id of the configuration");
  }
  auto r = meta_->updateBucketConfig(bucket, kConfig, [&](const Json& current) -> Result<Json> {
    JsonObject all = current.is_object() ? current.as_object() : JsonObject{};
    if (!all.contains(id) && all.size() >= kMaxTieringConfigurations) {
      return AwsError{"TooManyConfigurations",
                      "You are attempting to create a new configuration but have already reached "
                      "the 1,000-configuration limit.",
                      400};
    }
    all[id] = *config;
    return Json(std::move(all));
  });
  if (!r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketIntelligentTieringConfiguration(const Json& in,
                                                                 const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  const JsonObject* all = configurations(*b);
  const Json* config = all ? all->if_contains(str(in, "Id")) : nullptr;
  if (!config) return noSuchConfiguration();
  return Json(JsonObject{{"IntelligentTieringConfiguration", *config}});
}

Result<Json> S3Service::deleteBucketIntelligentTieringConfiguration(const Json& in,
                                                                    const CallContext&) {
  std::string bucket = str(in, "Bucket"), id = str(in, "Id");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  auto r = meta_->updateBucketConfig(bucket, kConfig, [&](const Json& current) -> Result<Json> {
    if (!current.is_object() || !current.as_object().contains(id)) return noSuchConfiguration();
    JsonObject all = current.as_object();
    all.erase(id);
    if (all.empty()) return Json(nullptr);
    return Json(std::move(all));
  });
  if (!r) return r.error();
  return Json(JsonObject{});
}

// Pages of kPageSize in Id order; the continuation token names the first Id
// of the next page.
Result<Json> S3Service::listBucketIntelligentTieringConfigurations(const Json& in,
                                                                   const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  std::string from;
  auto token = optStr(in, "ContinuationToken");
  if (token) {
    auto decoded = base64Decode(*token);
    if (!decoded || decoded->empty()) {
      return errors::invalidArgument("The continuation token provided is incorrect");
    }
    from = std::move(*decoded);
  }
  std::vector<std::string> ids;
  if (const JsonObject* all = configurations(*b)) {
    for (const auto& kv : *all) {
      if (std::string(kv.key()) >= from) ids.emplace_back(kv.key());
    }
  }
  std::sort(ids.begin(), ids.end());
  JsonArray page;
  const JsonObject* all = configurations(*b);
  for (size_t i = 0; i < ids.size() && i < kPageSize; ++i) page.push_back(all->at(ids[i]));
  JsonObject out{{"IsTruncated", ids.size() > kPageSize}};
  if (token) out["ContinuationToken"] = *token;
  if (ids.size() > kPageSize) out["NextContinuationToken"] = base64Encode(ids[kPageSize]);
  if (!page.empty()) out["IntelligentTieringConfigurationList"] = std::move(page);
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
