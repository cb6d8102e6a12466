// S3 browser-based uploads (POST Object): an HTML form POSTed to a bucket as
// multipart/form-data, authorised by a signed policy document instead of a
// signed request (boto3's generate_presigned_post, or a web page's form).
//
//   key              the object key; "${filename}" is replaced by the file's name
//   policy           base64 of {"expiration": ISO-8601, "conditions": [...]}
//   x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature   (SigV4:
//                    hex HMAC-SHA256 of `policy` with the scope's signing key)
//   AWSAccessKeyId, signature                                        (SigV2:
//                    base64 HMAC-SHA1 of `policy` with the secret key)
//   Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires,
//   x-amz-meta-*, x-amz-storage-class, tagging, success_action_status,
//   success_action_redirect, ...
//   file             the object's bytes; fields after it are ignored
//
// Conditions: {"field": "value"} and ["eq", "$field", "value"] match exactly,
// ["starts-with", "$field", "prefix"] by prefix ("" allows anything),
// ["content-length-range", min, max] bounds the file's size; {"bucket": ...}
// names the bucket. Every form field except policy, the signature fields,
// file and x-ignore-* ones must be named by a condition.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "gateway/sigv4.hpp"

namespace sluice::gateway {

struct S3PostForm {
  struct Field {
    std::string name;  // as sent
    std::string value;
  };
  std::vector<Field> fields;  // before the file, in order
  std::string fileName;       // the file part's filename
  std::string fileContentType;
  std::string file;
  bool hasFile = false;

  // The value of field `name` (case-insensitive), if sent.
  const std::string* field(std::string_view name) const;
};

// True for a POST to a bucket whose body is a multipart form.
bool isS3BrowserPost(std::string_view method, std::string_view contentType);

// Splits the form (S3's errors for a malformed one). `contentType` carries the
// boundary.
Result<S3PostForm> parseS3PostForm(std::string_view contentType, std::string_view body);

// Checks the policy's expiry and conditions against the form and `bucket`,
// and, when `credentials` holds keys, its signature. On success returns the
// access key id that signed it (empty for an anonymous upload).
Result<std::string> authorizeS3Post(const S3PostForm& form, std::string_view bucket,
                                    const CredentialStore& credentials, TimePoint now);

}  // namespace sluice::gateway
