// Bucket configurations that are stored and reported back: public access
// block, ownership controls and CORS (XML in, XML out, checked as S3 checks
// them), kept in the bucket's configuration. New buckets have what S3 gives
// them since April 2023: every public access block setting on, and
// BucketOwnerEnforced ownership. Sluice authorises nothing, so these grant and
// block nothing yet.
#include <algorithm>
#include <set>

#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

constexpr const char* kBlockMembers[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                         "RestrictPublicBuckets"};

// A stored configuration (absent: what a new bucket has; `false`: deleted).
const Json* stored(const BucketRecord& b, const char* name) {
  return b.config.as_object().if_contains(name);
}

JsonArray asList(const Json* v) {
  if (!v) return {};
  return v->is_array() ? v->as_array() : JsonArray{*v};
}

}  // namespace

Result<Json> S3Service::writeBucketConfig(const Json& in, std::string_view name, Json value) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  if (auto r = meta_->setBucketConfig(bucket, name, value); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::putPublicAccessBlock(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  const Json* config = jsonAt(in, {"PublicAccessBlockConfiguration"});
  if (!config || !config->is_object()) return errors::malformedXml();
  JsonObject out;
  for (const char* m : kBlockMembers) {
    const Json* v = config->as_object().if_contains(m);
    out[m] = v && v->is_bool() && v->as_bool();
  }
  return writeBucketConfig(in, "PublicAccessBlock", Json(std::move(out)));
}

Result<Json> S3Service::getPublicAccessBlock(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  const Json* v = stored(*b, "PublicAccessBlock");
  if (v && v->is_bool()) {
    return AwsError{"NoSuchPublicAccessBlockConfiguration",
                    "The public access block configuration was not found", 404}
        .with("BucketName", bucket);
  }
  JsonObject config;
  for (const char* m : kBlockMembers) config[m] = true;  // a new bucket's
  if (v && v->is_object()) config = v->as_object();
  return Json(JsonObject{{"PublicAccessBlockConfiguration", std::move(config)}});
}

Result<Json> S3Service::deletePublicAccessBlock(const Json& in, const CallContext&) {
  return writeBucketConfig(in, "PublicAccessBlock", Json(false));
}

Result<Json> S3Service::putBucketOwnershipControls(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  JsonArray rules = asList(jsonAt(in, {"OwnershipControls", "Rules"}));
  static const std::set<std::string> kOwnership = {"BucketOwnerPreferred", "ObjectWriter",
                                                   "BucketOwnerEnforced"};
  if (rules.size() != 1 || !kOwnership.count(jsonString(jsonAt(rules[0], {"ObjectOwnership"})))) {
    return errors::malformedXml();
  }
  JsonObject rule{{"ObjectOwnership", jsonString(jsonAt(rules[0], {"ObjectOwnership"}))}};
  return writeBucketConfig(in, "OwnershipControls", Json(JsonArray{std::move(rule)}));
}

Result<Json> S3Service::getBucketOwnershipControls(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  const Json* v = stored(*b, "OwnershipControls");
  if (v && v->is_bool()) {
    return AwsError{"OwnershipControlsNotFoundError",
                    "The bucket ownership controls were not found", 404}
        .with("BucketName", bucket);
  }
  Json rules = v && v->is_array()
                   ? *v
                   : Json(JsonArray{JsonObject{{"ObjectOwnership", "BucketOwnerEnforced"}}});
  return Json(JsonObject{{"OwnershipControls", JsonObject{{"Rules", std::move(rules)}}}});
}

Result<Json> S3Service::deleteBucketOwnershipControls(const Json& in, const CallContext&) {
  return writeBucketConfig(in, "OwnershipControls", Json(false));
}

Result<Json> S3Service::putBucketCors(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  JsonArray rules = asList(jsonAt(in, {"CORSConfiguration", "CORSRules"}));
  if (rules.empty()) return errors::malformedXml();
  if (rules.size() > 100) {
    return errors::invalidRequest(
        "The number of CORS rules should not exceed allowed limit of 100 rules.");
  }
  static const std::set<std::string> kMethods = {"GET", "PUT", "POST", "DELETE", "HEAD"};
  JsonArray kept;
  for (const Json& rule : rules) {
    JsonArray methods = asList(jsonAt(rule, {"AllowedMethods"}));
    JsonArray origins = asList(jsonAt(rule, {"AllowedOrigins"}));
    if (methods.empty() || origins.empty()) return errors::malformedXml();
    for (const Json& m : methods) {
      if (!kMethods.count(jsonString(&m))) {
        return errors::invalidRequest(
            "Found unsupported HTTP method in CORS config. Unsupported method is " +
            jsonString(&m));
      }
    }
    for (const Json& o : origins) {
      std::string origin = jsonString(&o);
      if (std::count(origin.begin(), origin.end(), '*') > 1) {
        return errors::invalidRequest("AllowedOrigin \"" + origin +
                                      "\" can not have more than one wildcard.");
      }
    }
    JsonObject r;
    for (const char* m : {"ID", "AllowedHeaders", "AllowedMethods", "AllowedOrigins",
                          "ExposeHeaders", "MaxAgeSeconds"}) {
      if (const Json* v = jsonAt(rule, {m})) r[m] = *v;
    }
    kept.push_back(std::move(r));
  }
  return writeBucketConfig(in, "Cors", Json(std::move(kept)));
}

Result<Json> S3Service::getBucketCors(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  const Json* v = stored(*b, "Cors");
  if (!v || !v->is_array()) {
    return AwsError{"NoSuchCORSConfiguration", "The CORS configuration does not exist", 404}.with(
        "BucketName", bucket);
  }
  return Json(JsonObject{{"CORSRules", *v}});
}

Result<Json> S3Service::deleteBucketCors(const Json& in, const CallContext&) {
  return writeBucketConfig(in, "Cors", nullptr);
}

}  // namespace sluice::services::s3
