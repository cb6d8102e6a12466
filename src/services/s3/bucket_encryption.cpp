// Bucket default encryption: PutBucketEncryption, GetBucketEncryption,
// DeleteBucketEncryption. Every bucket encrypts new objects with SSE-S3
// unless configured otherwise (S3's default since January 2023, which
// GetBucketEncryption reports for a bucket without a configuration); a
// configuration of aws:kms / aws:kms:dsse (with its key and bucket key) applies
// to objects written without encryption headers of their own
// (object_encryption.hpp).
#include "services/s3/object_encryption.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

const Json kDefaultRules = JsonArray{
    JsonObject{{"ApplyServerSideEncryptionByDefault", JsonObject{{"SSEAlgorithm", "AES256"}}},
               {"BucketKeyEnabled", false}}};

}  // namespace

Result<Json> S3Service::putBucketEncryption(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  const Json* rules = jsonAt(in, {"ServerSideEncryptionConfiguration", "Rules"});
  if (!rules || !rules->is_array() || rules->as_array().size() != 1) {
    return errors::malformedXml();
  }
  const Json& rule = rules->as_array().front();
  std::string algorithm =
      jsonString(jsonAt(rule, {"ApplyServerSideEncryptionByDefault", "SSEAlgorithm"}));
  std::string key =
      jsonString(jsonAt(rule, {"ApplyServerSideEncryptionByDefault", "KMSMasterKeyID"}));
  if (algorithm != "AES256" && algorithm != "aws:kms" && algorithm != "aws:kms:dsse") {
    return errors::malformedXml();
  }
  if (algorithm == "AES256" && !key.empty()) {
    return errors::invalidArgument(
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or "
        "aws:kms:dsse");
  }
  JsonObject byDefault{{"SSEAlgorithm", algorithm}};
  if (!key.empty()) byDefault["KMSMasterKeyID"] = key;
  const Json* bucketKey = jsonAt(rule, {"BucketKeyEnabled"});
  JsonObject stored{
      {"ApplyServerSideEncryptionByDefault", std::move(byDefault)},
      {"BucketKeyEnabled", bucketKey && bucketKey->is_bool() && bucketKey->as_bool()}};
  return writeBucketConfig(in, "Encryption", Json(JsonArray{std::move(stored)}));
}

Result<Json> S3Service::getBucketEncryption(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  const Json* rules = b->config.as_object().if_contains("Encryption");
  return Json(JsonObject{{"ServerSideEncryptionConfiguration",
                          JsonObject{{"Rules", rules ? *rules : kDefaultRules}}}});
}

Result<Json> S3Service::deleteBucketEncryption(const Json& in, const CallContext&) {
  return writeBucketConfig(in, "Encryption", nullptr);
}

Json bucketDefaultEncryption(const Json& bucketConfig) {
  const Json* rules =
      bucketConfig.is_object() ? bucketConfig.as_object().if_contains("Encryption") : nullptr;
  if (!rules || !rules->is_array() || rules->as_array().empty()) return JsonObject{};
  const Json& rule = rules->as_array().front();
  JsonObject defaults;
  defaults["ServerSideEncryption"] =
      jsonString(jsonAt(rule, {"ApplyServerSideEncryptionByDefault", "SSEAlgorithm"}));
  if (std::string key =
          jsonString(jsonAt(rule, {"ApplyServerSideEncryptionByDefault", "KMSMasterKeyID"}));
      !key.empty()) {
    defaults["SSEKMSKeyId"] = key;
  }
  if (const Json* bk = jsonAt(rule, {"BucketKeyEnabled"}); bk && bk->is_bool() && bk->as_bool()) {
    defaults["BucketKeyEnabled"] = true;
  }
  return defaults;
}

}  // namespace sluice::services::s3
