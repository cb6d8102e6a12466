#include "services/s3/object_encryption.hpp"

#include "core/encoding.hpp"
#include "services/s3/checksums.hpp"
#include "services/s3/s3_errors.hpp"

namespace sluice::services::s3 {

namespace {

std::string member(const Json& in, std::string_view name) {
  const Json* v = in.is_object() ? in.as_object().if_contains(name) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The base64 MD5 of a base64 key, as S3 compares keys.
std::string keyDigest(std::string_view key) {
  auto raw = base64Decode(key);
  return base64Encode(md5Raw(raw ? *raw : std::string()));
}

// A key id as S3 reports it: the key's ARN.
std::string keyArn(const std::string& id, const Scope& scope) {
  if (id.starts_with("arn:")) return id;
  std::string prefix = "arn:" + scope.partition + ":kms:" + scope.region + ":" + scope.account;
  return id.starts_with("alias/") ? prefix + ":" + id : prefix + ":key/" + id;
}

}  // namespace

Result<Json> encryptionOf(const Json& in, const Scope& scope, const Json& bucketDefaults) {
  std::string sse = member(in, "ServerSideEncryption");
  std::string algorithm = member(in, "SSECustomerAlgorithm");
  std::string key = member(in, "SSECustomerKey");
  if (sse.empty() && algorithm.empty() && key.empty() && bucketDefaults.is_object() &&
      !bucketDefaults.as_object().empty()) {
    return encryptionOf(bucketDefaults, scope);  // the bucket's default
  }
  JsonObject e;
  if (!algorithm.empty() || !key.empty()) {
    if (!sse.empty()) {
      return errors::invalidArgument(
          "Server Side Encryption with Customer provided key is incompatible with the "
          "encryption method specified");
    }
    if (algorithm != "AES256") {
      return errors::invalidArgument(
          algorithm.empty() ? "Requests specifying Server Side Encryption with Customer provided "
                              "keys must provide a valid encryption algorithm."
                            : "The encryption algorithm specified is not valid.");
    }
    auto raw = base64Decode(key);
    if (!raw || raw->size() != 32) {
      return errors::invalidArgument("The secret key was invalid for the specified algorithm.");
    }
    std::string digest = keyDigest(key);
    if (std::string given = member(in, "SSECustomerKeyMD5"); !given.empty() && given != digest) {
      return errors::invalidArgument(
          "The calculated MD5 hash of the key did not match the hash that was provided.");
    }
    e["SSECustomerAlgorithm"] = "AES256";
    e["SSECustomerKeyMD5"] = digest;
    return Json(std::move(e));
  }
  if (sse.empty()) sse = "AES256";
  if (sse != "AES256" && sse != "aws:kms" && sse != "aws:kms:dsse") {
    return errors::invalidArgument("The encryption method specified is not supported");
  }
  e["ServerSideEncryption"] = sse;
  std::string keyId = member(in, "SSEKMSKeyId");
  if (sse == "AES256" && !keyId.empty()) {
    return errors::invalidArgument(
        "Server Side Encryption with AWS KMS managed key requires HTTP header "
        "x-amz-server-side-encryption : aws:kms");
  }
  if (sse != "AES256") {
    // Without a key id, the account's AWS managed key for S3.
    e["SSEKMSKeyId"] = keyArn(keyId.empty() ? "alias/aws/s3" : keyId, scope);
    if (std::string context = member(in, "SSEKMSEncryptionContext"); !context.empty()) {
      auto decoded = base64Decode(context);
      if (!decoded || !parseJson(*decoded)) {
        return errors::invalidArgument("The encryption context must be base64-encoded JSON.");
      }
      e["SSEKMSEncryptionContext"] = context;
    }
    const Json* bucketKey = in.as_object().if_contains("BucketKeyEnabled");
    if (bucketKey && bucketKey->is_bool() && bucketKey->as_bool()) e["BucketKeyEnabled"] = true;
  }
  return Json(std::move(e));
}

Result<void> checkCustomerKey(const Json& in, const Json& attrs, std::string_view prefix) {
  const Json* e = attrs.is_object() ? attrs.as_object().if_contains("Encryption") : nullptr;
  std::string stored = e ? member(*e, "SSECustomerKeyMD5") : std::string();
  std::string key = member(in, std::string(prefix) + "SSECustomerKey");
  if (stored.empty()) {
    if (key.empty()) return {};
    return errors::invalidRequest("The encryption parameters are not applicable to this object.");
  }
  if (key.empty()) {
    return errors::invalidRequest(
        "The object was stored using a form of Server Side Encryption. The correct parameters "
        "must be provided to retrieve the object.");
  }
  if (keyDigest(key) != stored) return AwsError{"AccessDenied", "Access Denied", 403};
  return {};
}

void describeEncryption(JsonObject& out, const Json& attrs, bool withContext) {
  const Json* e = attrs.is_object() ? attrs.as_object().if_contains("Encryption") : nullptr;
  if (!e || !e->is_object()) {
    out["ServerSideEncryption"] = "AES256";
    return;
  }
  for (const auto& kv : e->as_object()) {
    if (kv.key() == "SSEKMSEncryptionContext" && !withContext) continue;
    out[kv.key()] = kv.value();
  }
}

}  // namespace sluice::services::s3
