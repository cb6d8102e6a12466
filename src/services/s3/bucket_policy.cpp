// Bucket policies: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy and
// GetBucketPolicyStatus. A policy is JSON (not XML, unlike the other bucket
// configurations), checked for the shape S3 insists on and kept as sent in
// the bucket's configuration. Sluice authorises nothing, so a policy grants
// and denies nothing; tools that write a policy and read it back see it as
// S3 shows it.
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

AwsError malformedPolicy(std::string message) {
  return {"MalformedPolicy", std::move(message), 400};
}

// S3's first checks of a policy document.
Result<Json> checkedPolicy(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  auto doc = parseJson(text);
  if (first == std::string::npos || text[first] != '{' || !doc || !doc->is_object()) {
    return malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  }
  const Json* statements = doc->as_object().if_contains("Statement");
  if (!statements) return malformedPolicy("Missing required field Statement");
  JsonArray list = statements->is_array() ? statements->as_array() : JsonArray{*statements};
  if (list.empty()) return malformedPolicy("Could not parse the policy: Statement is empty!");
  for (const Json& st : list) {
    if (!st.is_object()) return malformedPolicy("Statement is not an object");
    std::string effect = jsonString(jsonAt(st, {"Effect"}));
    if (effect != "Allow" && effect != "Deny") {
      return malformedPolicy("Invalid effect: " + (effect.empty() ? "(none)" : effect));
    }
    if (!jsonAt(st, {"Action"}) && !jsonAt(st, {"NotAction"})) {
      return malformedPolicy("Missing required field Action");
    }
    if (!jsonAt(st, {"Principal"}) && !jsonAt(st, {"NotPrincipal"})) {
      return malformedPolicy("Missing required field Principal");
    }
  }
  return *doc;
}

// Public: a statement allows everyone ("*" or {"AWS": "*"}) with no condition.
bool isPublic(const Json& policy) {
  const Json* statements = jsonAt(policy, {"Statement"});
  if (!statements) return false;
  JsonArray list = statements->is_array() ? statements->as_array() : JsonArray{*statements};
  for (const Json& st : list) {
    if (jsonString(jsonAt(st, {"Effect"})) != "Allow" || jsonAt(st, {"Condition"})) continue;
    const Json* p = jsonAt(st, {"Principal"});
    if (!p) continue;
    if (p->is_string() && p->as_string() == "*") return true;
    if (const Json* aws = jsonAt(*p, {"AWS"})) {
      if (aws->is_string() && aws->as_string() == "*") return true;
      if (aws->is_array()) {
        for (const Json& a : aws->as_array()) {
          if (a.is_string() && a.as_string() == "*") return true;
        }
      }
    }
  }
  return false;
}

AwsError noSuchBucketPolicy(const std::string& bucket) {
  return AwsError{"NoSuchBucketPolicy", "The bucket policy does not exist", 404}.with("BucketName",
                                                                                      bucket);
}

}  // namespace

Result<Json> S3Service::putBucketPolicy(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  std::string text = str(in, "Policy");
  if (auto checked = checkedPolicy(text); !checked) return checked.takeError();
  if (auto r = meta_->setBucketConfig(bucket, "Policy", Json(text)); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketPolicy(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  const Json* policy = b->config.as_object().if_contains("Policy");
  if (!policy || !policy->is_string()) return noSuchBucketPolicy(bucket);
  return Json(JsonObject{{"Policy", *policy}});
}

Result<Json> S3Service::deleteBucketPolicy(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  if (auto r = meta_->setBucketConfig(bucket, "Policy", nullptr); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketPolicyStatus(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  const Json* policy = b->config.as_object().if_contains("Policy");
  if (!policy || !policy->is_string()) return noSuchBucketPolicy(bucket);
  auto doc = parseJson(policy->as_string());
  return Json(JsonObject{{"PolicyStatus", JsonObject{{"IsPublic", doc && isPublic(*doc)}}}});
}

}  // namespace sluice::services::s3
