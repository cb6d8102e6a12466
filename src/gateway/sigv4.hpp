// AWS Signature Version 4: verification of incoming requests (Authorization
// header and presigned query forms), the chunk and trailer signatures of S3's
// aws-chunked uploads, and signing for Sluice's own clients and tests.
//
// The canonical request is built exactly as AWS builds it:
//   - canonical URI: for S3 the path as sent (no normalisation, no second
//     encoding); for every other service the path as sent, with dot segments
//     and empty segments removed, then URI-encoded once more (so "%3A" in the
//     wire path becomes "%253A": the "double encoding" of the SigV4 docs);
//   - canonical query: every parameter percent-decoded, re-encoded with the
//     RFC 3986 unreserved set, sorted by name then value (X-Amz-Signature left
//     out for presigned URLs);
//   - canonical headers: the signed headers, lowercase, values trimmed with
//     inner whitespace runs collapsed, repeated headers joined with ',';
//   - payload hash: the x-amz-content-sha256 header when present (a hex hash or
//     UNSIGNED-PAYLOAD / STREAMING-*), UNSIGNED-PAYLOAD for S3 presigned URLs,
//     else SHA-256 of the body.
//
// Failures come back as the AwsError the real service answers with; the code
// differs per protocol family, so the caller passes the family (AuthErrorStyle).
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace sluice::gateway {

// What the verifier needs from an HTTP request; the HTTP server fills it.
struct HttpRequestView {
  std::string_view method;  // "POST"
  // Raw request-target: path plus optional "?query", percent-encoded as received.
  // An absolute-form target ("http://host/path?q") is accepted too.
  std::string_view target;
  // As received: names in any case, repeated headers allowed, order kept.
  std::vector<std::pair<std::string, std::string>> headers;
  // The full body, or nullopt when it is not buffered (a streaming S3 upload):
  // then only x-amz-content-sha256 can stand for it.
  std::optional<std::string_view> body;
  // The hex SHA-256 of a body that is not buffered, when it was hashed on
  // its way to disk: compared with a hex x-amz-content-sha256.
  std::optional<std::string_view> bodySha256 = std::nullopt;
};

struct Credentials {
  std::string accessKeyId;
  std::string secretAccessKey;
};

// Secrets by access key id.
class CredentialStore {
 public:
  CredentialStore() = default;
  CredentialStore(std::initializer_list<Credentials> all);
  void add(Credentials credentials);
  const Credentials* find(std::string_view accessKeyId) const;
  bool empty() const { return byId_.empty(); }
  // Some accepted pair (the one handed to code inside functions); null when none.
  const Credentials* any() const { return byId_.empty() ? nullptr : &byId_.begin()->second; }

 private:
  std::unordered_map<std::string, Credentials> byId_;
};

// The credential scope ".../<date>/<region>/<service>/aws4_request".
struct SigV4Scope {
  std::string accessKeyId;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  bool presigned = false;  // from X-Amz-Credential rather than Authorization
};

// Which family's error codes a failure uses.
//   Json:  awsJson / restJson services (Step Functions, Lambda, Logs, ...):
//          UnrecognizedClientException, InvalidSignatureException,
//          IncompleteSignatureException, MissingAuthenticationTokenException.
//   Query: awsQuery / ec2 services (SQS query, SNS, STS, IAM): InvalidClientTokenId,
//          SignatureDoesNotMatch, IncompleteSignature, MissingAuthenticationToken.
//   S3:    InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied,
//          RequestTimeTooSkewed, AuthorizationHeaderMalformed, ...
enum class AuthErrorStyle { Json, Query, S3 };

// Everything the S3 layer needs to go on verifying an aws-chunked body: the
// signing key, the request timestamp and scope, and the previous signature.
struct SigningContext {
  std::string signingKey;  // raw 32-byte HMAC key (kSigning)
  std::string amzDate;     // YYYYMMDDTHHMMSSZ
  std::string scope;       // YYYYMMDD/region/service/aws4_request
};

struct SigV4Verified {
  SigV4Scope scope;
  SigningContext signing;
  std::string signature;      // the seed signature for aws-chunked bodies
  std::string payloadHash;    // as used in the canonical request
  std::string securityToken;  // X-Amz-Security-Token, if any (not validated)
  TimePoint requestTime{};
};

// Filled on failure (and success) when asked for: what S3 puts beside its
// SignatureDoesNotMatch / RequestTimeTooSkewed / HeadersNotSigned errors.
struct SigV4Diagnostics {
  std::string canonicalRequest;
  std::string stringToSign;
  std::string signatureProvided;
  std::string accessKeyId;
  std::string requestTime;  // as sent
  std::string serverTime;   // ISO-8601
  std::string headersNotSigned;
  long long maxAllowedSkewMilliseconds = 0;
  long long expiresSeconds = 0;  // X-Amz-Expires of a presigned URL
};

struct VerifyOptions {
  AuthErrorStyle style = AuthErrorStyle::Json;
  // Largest difference between the request time and now (S3: 15 minutes).
  std::chrono::seconds maxSkew{15 * 60};
  SigV4Diagnostics* diagnostics = nullptr;
};

// The elements S3 puts beside a SigV4 failure (SignatureDoesNotMatch:
// AWSAccessKeyId, StringToSign, SignatureProvided, StringToSignBytes,
// CanonicalRequest, CanonicalRequestBytes; RequestTimeTooSkewed: RequestTime,
// ServerTime, MaxAllowedSkewMilliseconds; an expired presigned URL:
// X-Amz-Expires, Expires, ServerTime; unsigned headers: HeadersNotSigned).
AwsError withS3Details(AwsError error, const SigV4Diagnostics& diag);

// Parses the credential scope without verifying anything (routing needs the
// service even when authentication is off). nullopt when the request carries
// no SigV4 credential.
std::optional<SigV4Scope> parseScope(const HttpRequestView& request);

// Verifies the request's signature. On success returns the scope and the
// signing context; on failure the AwsError the real service would send.
Result<SigV4Verified> verify(const HttpRequestView& request, const CredentialStore& store,
                             TimePoint now, const VerifyOptions& options = {});

// --- aws-chunked (S3 streaming uploads) -----------------------------------
//
// Chunk signature: HMAC(signingKey, "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n"
//   + scope + "\n" + previousSignature + "\n" + SHA256("") + "\n" + SHA256(data)).
// The first chunk's previous signature is the seed (the request signature).
std::string chunkSignature(const SigningContext& ctx, std::string_view previousSignature,
                           std::string_view chunkData);
// Same, from the chunk's hex SHA-256 (for data hashed while streaming).
std::string chunkSignatureFromHash(const SigningContext& ctx, std::string_view previousSignature,
                                   std::string_view chunkSha256Hex);
// Trailer signature: HMAC(signingKey, "AWS4-HMAC-SHA256-TRAILER\n" + amzDate +
// "\n" + scope + "\n" + previousSignature + "\n" + SHA256(trailers)), where
// `canonicalTrailers` is each trailing header as "name:value\n" (lowercase name,
// trimmed value), in the order sent. previousSignature is the final (empty)
// chunk's signature.
std::string trailerSignature(const SigningContext& ctx, std::string_view previousSignature,
                             std::string_view canonicalTrailers);
// Constant-time comparison of two signatures.
bool signaturesEqual(std::string_view a, std::string_view b);

// --- Signing (tests, and Sluice's own outbound calls) ---------------------

struct SignParams {
  Credentials credentials;
  std::string region = "us-east-1";
  std::string service;
  TimePoint time{};
  std::string securityToken;  // added as X-Amz-Security-Token when set
  // Payload hash to sign; default SHA-256 of the body. S3 requests always carry
  // it as x-amz-content-sha256 (set e.g. "UNSIGNED-PAYLOAD").
  std::optional<std::string> payloadHash;
};

// Adds X-Amz-Date (and X-Amz-Security-Token, and x-amz-content-sha256 for S3)
// to `headers`, then signs every header present except the ones clients never
// sign (user-agent, expect, transfer-encoding, ...) and adds Authorization.
// `headers` must hold Host. Returns the signature.
std::string signRequest(std::string_view method, std::string_view target,
                        std::vector<std::pair<std::string, std::string>>& headers,
                        std::string_view body, const SignParams& params);

// Returns `target` with the presigned query parameters appended (signing only
// `host`, as SDK presigners do). S3 presigned URLs sign UNSIGNED-PAYLOAD.
std::string presignTarget(std::string_view method, std::string_view target, std::string_view host,
                          std::chrono::seconds expires, const SignParams& params);

// --- Building blocks (exposed for tests and the S3 layer) -----------------

std::string formatAmzDate(TimePoint t);                         // 20150830T123600Z
std::optional<TimePoint> parseAmzDate(std::string_view text);   // ISO-8601 basic
std::optional<TimePoint> parseHttpDate(std::string_view text);  // RFC 1123 (GMT or +hhmm) / basic
std::string deriveSigningKey(std::string_view secretAccessKey, std::string_view date,
                             std::string_view region, std::string_view service);
std::string sha256Hex(std::string_view data);
// SHA-256 over data that arrives in pieces (a streamed body, a chunk).
class Sha256Stream {
 public:
  Sha256Stream();
  void update(std::string_view data);
  // Lower-case hex of everything updated since construction or the last
  // call; starts over.
  std::string finishHex();

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};
std::string hmacSha256(std::string_view key, std::string_view data);  // raw bytes
std::string hexEncode(std::string_view bytes);
// URI-encode per SigV4: everything but A-Z a-z 0-9 - _ . ~ (and '/' if keepSlash).
std::string uriEncode(std::string_view text, bool keepSlash);
std::string canonicalUri(std::string_view rawPath, bool s3);
std::string canonicalQueryString(std::string_view rawQuery, bool presigned);

// The canonical request and string to sign for a request, given the signed
// header names (lowercase, ';'-separated as in SignedHeaders) and payload hash.
std::string canonicalRequest(const HttpRequestView& request, std::string_view signedHeaders,
                             std::string_view payloadHash, bool s3, bool presigned);
std::string stringToSign(std::string_view amzDate, std::string_view scope,
                         std::string_view canonicalRequestText);

}  // namespace sluice::gateway
