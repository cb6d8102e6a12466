// AWS Signature Version 2 for S3 — what boto3 still uses for presigned URLs
// with signature_version="s3", and older S3 tools for every request:
//
//   header form:  Authorization: AWS <AccessKeyId>:<Signature>
//   query form:   ?AWSAccessKeyId=<id>&Expires=<epoch seconds>&Signature=<sig>
//
// Signature = Base64(HMAC-SHA1(secret, StringToSign)), where StringToSign is
//
//   HTTP-Verb "\n" Content-MD5 "\n" Content-Type "\n" Date "\n"
//   CanonicalizedAmzHeaders CanonicalizedResource
//
//   - Date: the Date header, or "" when x-amz-date is sent (it is then signed
//     among the x-amz- headers); the query form puts Expires there.
//   - CanonicalizedAmzHeaders: every x-amz-* header (and, in the query form,
//     x-amz-* query parameters, where presigners move them), lowercase, sorted,
//     repeated headers joined with ',', values trimmed and unfolded, each as
//     "name:value\n".
//   - CanonicalizedResource: "/bucket" for a virtual-hosted request, then the
//     path as sent (still percent-encoded; a bucket alone is "/bucket/"),
//     then the sub-resources S3 signs
//     (acl, uploads, versionId, response-content-type, ...), decoded, sorted
//     by name, as "?a&b=c".
//
// Failures are S3's: InvalidAccessKeyId, SignatureDoesNotMatch (with the
// StringToSign S3 computed, as S3 reports it), AccessDenied "Request has
// expired", RequestTimeTooSkewed.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "gateway/sigv4.hpp"

namespace sluice::gateway {

// Whether the request authenticates with SigV2 (either form).
bool isSigV2(const HttpRequestView& request);

struct SigV2Verified {
  std::string accessKeyId;
  bool presigned = false;  // the query form
};

// The string to sign for `request`: the query form when it carries Expires
// and Signature in its query, else the header form.
std::string sigV2StringToSign(const HttpRequestView& request);
// Base64(HMAC-SHA1(secretAccessKey, stringToSign)).
std::string sigV2Signature(std::string_view secretAccessKey, std::string_view stringToSign);

// Verifies a SigV2 request against `store` at `now` (the header form's Date
// may differ from it by 15 minutes at most).
Result<SigV2Verified> verifySigV2(const HttpRequestView& request, const CredentialStore& store,
                                  TimePoint now);

}  // namespace sluice::gateway
