// SigV4 verification, chunk signatures and signing. The error codes and
// messages are the ones AWS answers with; they differ per protocol family.
#include "gateway/sigv4.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "gateway/sigv4_internal.hpp"

namespace sluice::gateway {

using namespace sigv4_detail;

// --- credential store ---------------------------------------------------------

CredentialStore::CredentialStore(std::initializer_list<Credentials> all) {
  for (const auto& c : all) add(c);
}

void CredentialStore::add(Credentials credentials) {
  std::string id = credentials.accessKeyId;
  byId_.insert_or_assign(std::move(id), std::move(credentials));
}

const Credentials* CredentialStore::find(std::string_view accessKeyId) const {
  auto it = byId_.find(std::string(accessKeyId));
  return it == byId_.end() ? nullptr : &it->second;
}

namespace {

constexpr long long kMaxPresignExpires = 604800;  // one week

constexpr std::string_view kSignatureMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kS3SignatureMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "key and signing method.";
constexpr std::string_view kCredentialShape =
    "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";

// The error vocabulary of one protocol family.
class Errors {
 public:
  explicit Errors(AuthErrorStyle style) : style_(style) {}
  bool s3() const { return style_ == AuthErrorStyle::S3; }

  AwsError missingAuthentication() const {
    switch (style_) {
      case AuthErrorStyle::Json:
        return {"MissingAuthenticationTokenException", "Missing Authentication Token", 403};
      case AuthErrorStyle::Query:
        return {"MissingAuthenticationToken", "Request is missing Authentication Token", 403};
      case AuthErrorStyle::S3:
        break;
    }
    return {"AccessDenied", "Access Denied", 403};
  }
  // A malformed or incomplete Authorization header / query (not S3).
  AwsError incomplete(std::string message) const {
    if (style_ == AuthErrorStyle::Query) return {"IncompleteSignature", std::move(message), 400};
    return {"IncompleteSignatureException", std::move(message), 400};
  }
  AwsError unknownAccessKey() const {
    switch (style_) {
      case AuthErrorStyle::Json:
        return {"UnrecognizedClientException",
                "The security token included in the request is invalid.", 403};
      case AuthErrorStyle::Query:
        return {"InvalidClientTokenId", "The security token included in the request is invalid.",
                403};
      case AuthErrorStyle::S3:
        break;
    }
    return {"InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.", 403};
  }
  AwsError signature(std::string message = {}) const {
    switch (style_) {
      case AuthErrorStyle::Json:
        return {"InvalidSignatureException",
                message.empty() ? std::string(kSignatureMismatchMessage) : std::move(message), 403};
      case AuthErrorStyle::Query:
        return {"SignatureDoesNotMatch",
                message.empty() ? std::string(kSignatureMismatchMessage) : std::move(message), 403};
      case AuthErrorStyle::S3:
        break;
    }
    return {"SignatureDoesNotMatch",
            message.empty() ? std::string(kS3SignatureMismatchMessage) : std::move(message), 403};
  }
  static AwsError s3(std::string code, std::string message, int status) {
    return {std::move(code), std::move(message), status};
  }
  static AwsError headerMalformed(std::string_view detail) {
    return {"AuthorizationHeaderMalformed",
            "The authorization header is malformed; " + std::string(detail), 400};
  }
  static AwsError queryError(std::string message) {
    return {"AuthorizationQueryParametersError", std::move(message), 400};
  }

 private:
  AuthErrorStyle style_;
};

// The parts of a SigV4 authentication, from either form.
struct AuthParts {
  bool presigned = false;
  std::string authorization;  // the header, for messages
  std::string credential;
  std::string signedHeaders;
  std::string signature;
  std::string amzDate;  // as used in the string to sign (YYYYMMDDTHHMMSSZ)
  std::string dateAsSent;
  TimePoint requestTime{};
  long long expires = 0;
  std::string securityToken;
};

std::string minutesText(std::chrono::seconds s) {
  auto count = s.count();
  if (count % 60 == 0) return std::to_string(count / 60) + " min.";
  return std::to_string(count) + " sec.";
}

// Splits "Credential=..., SignedHeaders=..., Signature=..." into its pairs.
struct HeaderComponents {
  std::optional<std::string> credential, signedHeaders, signature;
  std::optional<std::string> malformed;  // the first component without '='
};

// AWS separates the components by commas and/or whitespace, so a stray space
// inside a value splits it ("Credential=AKID /2015...").
HeaderComponents splitAuthorization(std::string_view rest) {
  HeaderComponents out;
  while (!rest.empty()) {
    auto sep = rest.find_first_of(", \t");
    std::string_view piece = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 1);
    if (piece.empty()) continue;
    auto eq = piece.find('=');
    if (eq == std::string_view::npos) {
      if (!out.malformed) out.malformed = std::string(piece);
      continue;
    }
    std::string_view key = piece.substr(0, eq);
    std::string value(piece.substr(eq + 1));
    if (key == "Credential") {
      out.credential = std::move(value);
    } else if (key == "SignedHeaders") {
      out.signedHeaders = std::move(value);
    } else if (key == "Signature") {
      out.signature = std::move(value);
    }
  }
  return out;
}

bool startsWithAlgorithm(std::string_view auth) {
  return auth.size() > kAlgorithm.size() && auth.substr(0, kAlgorithm.size()) == kAlgorithm &&
         (auth[kAlgorithm.size()] == ' ' || auth[kAlgorithm.size()] == '\t');
}

Result<AuthParts> parseHeaderAuth(const HttpRequestView& request, std::string_view auth,
                                  const Errors& errors) {
  AuthParts parts;
  parts.authorization = std::string(auth);
  auto amzDate = header(request, "x-amz-date");
  auto date = amzDate ? amzDate : header(request, "date");
  if (!startsWithAlgorithm(auth)) {
    if (errors.s3()) return Errors::s3("InvalidArgument", "Unsupported Authorization Type", 400);
    // AWS lists every SigV4 component it could not find.
    std::string message =
        "Authorization header requires 'Credential' parameter. Authorization header requires "
        "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. ";
    if (!date) {
      message +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header. ";
    }
    message += "Authorization=" + std::string(auth);
    return errors.incomplete(std::move(message));
  }
  HeaderComponents c = splitAuthorization(auth.substr(kAlgorithm.size() + 1));
  if (c.malformed) {
    if (errors.s3()) {
      return Errors::headerMalformed("the authorization component \"" + *c.malformed +
                                     "\" is malformed.");
    }
    return errors.incomplete("'" + *c.malformed +
                             "' not a valid key=value pair (missing equal-sign) in Authorization "
                             "header: '" +
                             std::string(auth) + "'.");
  }
  if (!c.credential || !c.signedHeaders || !c.signature || (!date && !errors.s3())) {
    if (errors.s3()) {
      return Errors::headerMalformed(
          "the authorization header requires three components: Credential, SignedHeaders, and "
          "Signature.");
    }
    std::string message;
    if (!c.credential) message += "Authorization header requires 'Credential' parameter. ";
    if (!c.signature) message += "Authorization header requires 'Signature' parameter. ";
    if (!c.signedHeaders) message += "Authorization header requires 'SignedHeaders' parameter. ";
    if (!date) {
      message +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header. ";
    }
    message += "Authorization=" + std::string(auth);
    return errors.incomplete(std::move(message));
  }
  if (!date) {
    return Errors::s3("AccessDenied",
                      "AWS authentication requires a valid Date or x-amz-date header", 403);
  }
  std::optional<TimePoint> when = amzDate ? parseAmzDate(trim(*amzDate)) : parseHttpDate(*date);
  if (!when) {
    if (errors.s3()) {
      return Errors::s3("AccessDenied",
                        "AWS authentication requires a valid Date or x-amz-date header", 403);
    }
    return errors.incomplete("Date must be in ISO-8601 'basic format'. Got '" + std::string(*date) +
                             "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  parts.credential = std::move(*c.credential);
  parts.signedHeaders = std::move(*c.signedHeaders);
  parts.signature = std::move(*c.signature);
  parts.dateAsSent = std::string(trim(*date));
  parts.requestTime = *when;
  parts.amzDate = formatAmzDate(*when);
  if (auto token = header(request, "x-amz-security-token")) parts.securityToken = *token;
  return parts;
}

Result<AuthParts> parseQueryAuth(const std::vector<std::pair<std::string, std::string>>& params,
                                 const Errors& errors) {
  AuthParts parts;
  parts.presigned = true;
  auto algorithm = queryParam(params, "X-Amz-Algorithm");
  auto credential = queryParam(params, "X-Amz-Credential");
  auto signature = queryParam(params, "X-Amz-Signature");
  auto date = queryParam(params, "X-Amz-Date");
  auto signedHeaders = queryParam(params, "X-Amz-SignedHeaders");
  auto expires = queryParam(params, "X-Amz-Expires");
  bool missing = !algorithm || !credential || !signature || !date || !signedHeaders;
  if (errors.s3() && (missing || !expires)) {
    return Errors::queryError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
  }
  if (missing) {
    std::string message;
    auto require = [&](const std::optional<std::string>& v, std::string_view name) {
      if (!v) message += "AWS query-string parameters must include '" + std::string(name) + "'. ";
    };
    require(algorithm, "X-Amz-Algorithm");
    require(credential, "X-Amz-Credential");
    require(signature, "X-Amz-Signature");
    require(signedHeaders, "X-Amz-SignedHeaders");
    require(date, "X-Amz-Date");
    message += "Re-examine the query-string parameters.";
    return errors.incomplete(std::move(message));
  }
  if (*algorithm != kAlgorithm) {
    if (errors.s3())
      return Errors::queryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    return errors.incomplete("Unsupported AWS 'algorithm': '" + *algorithm + "'");
  }
  auto when = parseAmzDate(*date);
  if (!when) {
    if (errors.s3()) {
      return Errors::queryError(
          "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    }
    return errors.incomplete("Date must be in ISO-8601 'basic format'. Got '" + *date +
                             "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (expires) {
    long long value = 0;
    const char* first = expires->data();
    const char* last = first + expires->size();
    auto [ptr, ec] = std::from_chars(first, last, value);
    auto fail = [&](std::string message) -> AwsError {
      return errors.s3() ? Errors::queryError(std::move(message))
                         : errors.incomplete(std::move(message));
    };
    if (ec != std::errc() || ptr != last || expires->empty()) {
      return fail("X-Amz-Expires should be a number");
    }
    if (value < 0) return fail("X-Amz-Expires must be non-negative");
    if (value > kMaxPresignExpires) {
      return fail(
          "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
          "must be less than 604800 seconds");
    }
    parts.expires = value;
  } else {
    parts.expires = kMaxPresignExpires;
  }
  parts.credential = *credential;
  parts.signedHeaders = *signedHeaders;
  parts.signature = *signature;
  parts.dateAsSent = *date;
  parts.amzDate = *date;
  parts.requestTime = *when;
  if (auto token = queryParam(params, "X-Amz-Security-Token")) parts.securityToken = *token;
  return parts;
}

// Checks the credential's shape; fills the scope.
Result<SigV4Scope> checkCredential(const AuthParts& parts, const Errors& errors) {
  auto pieces = splitCredential(parts.credential);
  if (!pieces) {
    if (errors.s3()) {
      if (parts.presigned) {
        return Errors::queryError(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; " +
            std::string(kCredentialShape));
      }
      return Errors::headerMalformed("the Credential is mal-formed; " +
                                     std::string(kCredentialShape));
    }
    return errors.incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        parts.credential + "'");
  }
  auto& p = *pieces;
  if (p[4] != "aws4_request") {
    if (errors.s3()) {
      std::string detail =
          "incorrect terminal \"" + p[4] + "\". This endpoint uses \"aws4_request\".";
      if (parts.presigned) {
        return Errors::queryError("Error parsing the X-Amz-Credential parameter; " + detail);
      }
      return Errors::headerMalformed(detail);
    }
    return errors.signature(
        "Credential should be scoped with a valid terminator: 'aws4_request', "
        "not '" +
        p[4] + "'.");
  }
  if (p[0].empty()) {
    if (errors.s3()) {
      if (parts.presigned) {
        return Errors::queryError(
            "Error parsing the X-Amz-Credential parameter; a non-empty Access Key (AKID) must be "
            "provided in the credential.");
      }
      return Errors::headerMalformed(
          "a non-empty Access Key (AKID) must be provided in the credential.");
    }
    return errors.unknownAccessKey();
  }
  std::string requestDay = parts.amzDate.substr(0, 8);
  if (p[1] != requestDay) {
    if (errors.s3()) {
      if (parts.presigned) {
        return Errors::queryError("Invalid credential date \"" + p[1] +
                                  "\". This date is not the same as X-Amz-Date: \"" + requestDay +
                                  "\".");
      }
      return Errors::headerMalformed(
          "Invalid credential date. Date is not the same as X-Amz-Date.");
    }
    return errors.signature(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        p[1] + "' != '" + requestDay + "', from '" + parts.amzDate + "'.");
  }
  SigV4Scope scope;
  scope.accessKeyId = std::move(p[0]);
  scope.date = std::move(p[1]);
  scope.region = std::move(p[2]);
  scope.service = std::move(p[3]);
  scope.presigned = parts.presigned;
  return scope;
}

Result<void> checkTime(const AuthParts& parts, TimePoint now, const VerifyOptions& options,
                       const Errors& errors) {
  const auto skew = std::chrono::duration_cast<Duration>(options.maxSkew);
  if (parts.presigned) {
    if (parts.requestTime - skew > now) {
      if (errors.s3()) return Errors::s3("AccessDenied", "Request is not valid yet", 403);
      return errors.signature("Signature not yet current: " + parts.amzDate +
                              " is still later than " + formatAmzDate(now + skew) + " (" +
                              formatAmzDate(now) + " + " + minutesText(options.maxSkew) + ")");
    }
    auto expiry = parts.requestTime + std::chrono::seconds(parts.expires);
    if (now > expiry) {
      if (errors.s3()) return Errors::s3("AccessDenied", "Request has expired", 403);
      return errors.signature("Signature expired: " + parts.amzDate + " is now earlier than " +
                              formatAmzDate(now - std::chrono::seconds(parts.expires)) + " (" +
                              formatAmzDate(now) + " - " +
                              minutesText(std::chrono::seconds(parts.expires)) + ")");
    }
    return {};
  }
  if (parts.requestTime < now - skew) {
    if (errors.s3()) {
      return Errors::s3("RequestTimeTooSkewed",
                        "The difference between the request time and the current time is too "
                        "large.",
                        403);
    }
    return errors.signature("Signature expired: " + parts.amzDate + " is now earlier than " +
                            formatAmzDate(now - skew) + " (" + formatAmzDate(now) + " - " +
                            minutesText(options.maxSkew) + ")");
  }
  if (parts.requestTime > now + skew) {
    if (errors.s3()) {
      return Errors::s3("RequestTimeTooSkewed",
                        "The difference between the request time and the current time is too "
                        "large.",
                        403);
    }
    return errors.signature("Signature not yet current: " + parts.amzDate +
                            " is still later than " + formatAmzDate(now + skew) + " (" +
                            formatAmzDate(now) + " + " + minutesText(options.maxSkew) + ")");
  }
  return {};
}

std::set<std::string> signedHeaderSet(std::string_view signedHeaders) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= signedHeaders.size()) {
    auto semi = signedHeaders.find(';', start);
    auto name = signedHeaders.substr(start, semi - start);
    if (!name.empty()) out.insert(toLower(name));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return out;
}

// S3 refuses x-amz-* headers the signature does not cover.
std::string unsignedAmzHeaders(const HttpRequestView& request, const AuthParts& parts) {
  auto signedSet = signedHeaderSet(parts.signedHeaders);
  std::string out;
  std::set<std::string> seen;
  for (const auto& [name, value] : request.headers) {
    std::string lower = toLower(name);
    if (lower.rfind("x-amz-", 0) != 0 || signedSet.count(lower) || seen.count(lower)) continue;
    // A presigned URL cannot sign the payload hash a client adds when using it.
    if (parts.presigned && lower == "x-amz-content-sha256") continue;
    seen.insert(lower);
    if (!out.empty()) out.push_back(',');
    out.append(lower);
  }
  return out;
}

bool isSpecialPayloadHash(std::string_view v) {
  static constexpr std::string_view kValues[] = {
      "UNSIGNED-PAYLOAD",
      "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
  };
  return std::find(std::begin(kValues), std::end(kValues), v) != std::end(kValues);
}

}  // namespace

// --- scope (routing) ------------------------------------------------------------

std::optional<SigV4Scope> parseScope(const HttpRequestView& request) {
  std::string credential;
  bool presigned = false;
  if (auto auth = header(request, "authorization"); auth && startsWithAlgorithm(trim(*auth))) {
    auto c = splitAuthorization(trim(*auth).substr(kAlgorithm.size() + 1));
    if (!c.credential) return std::nullopt;
    credential = std::move(*c.credential);
  } else {
    auto params = parseQuery(splitTarget(request.target).query);
    auto cred = queryParam(params, "X-Amz-Credential");
    if (!cred) return std::nullopt;
    credential = std::move(*cred);
    presigned = true;
  }
  auto pieces = splitCredential(credential);
  if (!pieces) return std::nullopt;
  SigV4Scope scope;
  scope.accessKeyId = std::move((*pieces)[0]);
  scope.date = std::move((*pieces)[1]);
  scope.region = std::move((*pieces)[2]);
  scope.service = std::move((*pieces)[3]);
  scope.presigned = presigned;
  return scope;
}

// --- verification -----------------------------------------------------------------

Result<SigV4Verified> verify(const HttpRequestView& request, const CredentialStore& store,
                             TimePoint now, const VerifyOptions& options) {
  const Errors errors(options.style);
  SigV4Diagnostics* diag = options.diagnostics;
  if (diag) {
    *diag = SigV4Diagnostics{};
    diag->serverTime = formatIso8601(now);
    diag->maxAllowedSkewMilliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.maxSkew).count();
  }

  auto auth = header(request, "authorization");
  auto params = parseQuery(splitTarget(request.target).query);
  bool queryAuth = queryParam(params, "X-Amz-Algorithm") ||
                   queryParam(params, "X-Amz-Credential") || queryParam(params, "X-Amz-Signature");
  if (!auth && !queryAuth) return errors.missingAuthentication();
  if (auth && queryAuth && errors.s3()) {
    return Errors::s3("InvalidArgument",
                      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                      "Signature query string parameter or the Authorization header should be "
                      "specified",
                      400);
  }

  auto parsed =
      auth ? parseHeaderAuth(request, trim(*auth), errors) : parseQueryAuth(params, errors);
  if (!parsed) return parsed.takeError();
  AuthParts& parts = *parsed;
  if (diag) {
    diag->signatureProvided = parts.signature;
    diag->requestTime = parts.dateAsSent;
    diag->expiresSeconds = parts.expires;
  }

  auto scope = checkCredential(parts, errors);
  if (!scope) return scope.takeError();
  if (diag) diag->accessKeyId = scope->accessKeyId;

  const Credentials* credentials = store.find(scope->accessKeyId);
  if (!credentials) return errors.unknownAccessKey();

  if (auto timeOk = checkTime(parts, now, options, errors); !timeOk) return timeOk.error();

  const bool s3 = scope->service == "s3";
  if (errors.s3()) {
    std::string notSigned = unsignedAmzHeaders(request, parts);
    if (!notSigned.empty()) {
      if (diag) diag->headersNotSigned = notSigned;
      return Errors::s3("AccessDenied",
                        "There were headers present in the request which were not signed", 403);
    }
  }

  // The payload hash the client signed.
  auto contentSha = header(request, "x-amz-content-sha256");
  std::string payloadHash;
  if (contentSha) {
    payloadHash = std::string(trim(*contentSha));
    if (s3 && !isHexSha256(payloadHash) && !isSpecialPayloadHash(payloadHash)) {
      return Errors::s3("InvalidArgument",
                        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                        "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "
                        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
                        400);
    }
    // Other services hash the body themselves: a body changed under an
    // unchanged header must not verify.
    if (!s3 && isHexSha256(payloadHash) && request.body) payloadHash = sha256Hex(*request.body);
  } else if (s3 && parts.presigned) {
    payloadHash = std::string(kUnsignedPayload);
  } else if (s3 && errors.s3()) {
    return Errors::s3("InvalidRequest",
                      "Missing required header for this request: x-amz-content-sha256", 400);
  } else {
    payloadHash = request.body ? sha256Hex(*request.body) : std::string(kEmptySha256);
  }

  const std::string scopeText =
      scope->date + "/" + scope->region + "/" + scope->service + "/aws4_request";
  std::string canonical =
      canonicalRequest(request, parts.signedHeaders, payloadHash, s3, parts.presigned);
  std::string toSign = stringToSign(parts.amzDate, scopeText, canonical);
  std::string key =
      deriveSigningKey(credentials->secretAccessKey, scope->date, scope->region, scope->service);
  std::string expected = hexEncode(hmacSha256(key, toSign));
  bool match = signaturesEqual(expected, parts.signature);
  if (!match && s3) {
    // S3 canonicalises the key it decoded; a client that left a character
    // unencoded on the wire may have signed the encoded form instead.
    SplitTarget target = splitTarget(request.target);
    std::string reencoded = uriEncode(percentDecode(target.path), /*keepSlash=*/true);
    if (!target.path.empty() && reencoded != target.path) {
      std::string rebuilt = reencoded;
      if (!target.query.empty() || request.target.find('?') != std::string_view::npos) {
        rebuilt.append("?").append(target.query);
      }
      HttpRequestView alt{request.method, rebuilt, request.headers, request.body,
                          request.bodySha256};
      std::string altCanonical =
          canonicalRequest(alt, parts.signedHeaders, payloadHash, s3, parts.presigned);
      std::string altToSign = stringToSign(parts.amzDate, scopeText, altCanonical);
      if (signaturesEqual(hexEncode(hmacSha256(key, altToSign)), parts.signature)) {
        match = true;
        canonical = std::move(altCanonical);
        toSign = std::move(altToSign);
      }
    }
  }
  if (diag) {
    diag->canonicalRequest = canonical;
    diag->stringToSign = toSign;
  }
  if (!match) return errors.signature();

  auto bodyHash = [&] {
    return request.body ? sha256Hex(*request.body) : std::string(*request.bodySha256);
  };
  if (s3 && contentSha && (request.body || request.bodySha256) && isHexSha256(payloadHash) &&
      bodyHash() != toLower(payloadHash)) {
    if (errors.s3()) {
      return Errors::s3("XAmzContentSHA256Mismatch",
                        "The provided 'x-amz-content-sha256' header does not match what was "
                        "computed.",
                        400);
    }
    return errors.signature();
  }

  SigV4Verified out;
  out.scope = std::move(*scope);
  out.signing = SigningContext{std::move(key), parts.amzDate, scopeText};
  out.signature = std::move(parts.signature);
  out.payloadHash = std::move(payloadHash);
  out.securityToken = std::move(parts.securityToken);
  out.requestTime = parts.requestTime;
  return out;
}

// --- aws-chunked ----------------------------------------------------------------

std::string chunkSignatureFromHash(const SigningContext& ctx, std::string_view previousSignature,
                                   std::string_view chunkSha256Hex) {
  std::string toSign = "AWS4-HMAC-SHA256-PAYLOAD\n";
  toSign.append(ctx.amzDate).push_back('\n');
  toSign.append(ctx.scope).push_back('\n');
  toSign.append(previousSignature).push_back('\n');
  toSign.append(kEmptySha256).push_back('\n');
  toSign.append(chunkSha256Hex);
  return hexEncode(hmacSha256(ctx.signingKey, toSign));
}

std::string chunkSignature(const SigningContext& ctx, std::string_view previousSignature,
                           std::string_view chunkData) {
  return chunkSignatureFromHash(ctx, previousSignature, sha256Hex(chunkData));
}

std::string trailerSignature(const SigningContext& ctx, std::string_view previousSignature,
                             std::string_view canonicalTrailers) {
  std::string toSign = "AWS4-HMAC-SHA256-TRAILER\n";
  toSign.append(ctx.amzDate).push_back('\n');
  toSign.append(ctx.scope).push_back('\n');
  toSign.append(previousSignature).push_back('\n');
  toSign.append(sha256Hex(canonicalTrailers));
  return hexEncode(hmacSha256(ctx.signingKey, toSign));
}

// --- signing ----------------------------------------------------------------------

namespace {

// Headers SDKs leave out of the signature (hop-by-hop, or changed by proxies).
bool neverSigned(std::string_view lowerName) {
  static constexpr std::string_view kNames[] = {"authorization",
                                                "connection",
                                                "expect",
                                                "keep-alive",
                                                "proxy-authenticate",
                                                "proxy-authorization",
                                                "te",
                                                "trailer",
                                                "transfer-encoding",
                                                "upgrade",
                                                "user-agent",
                                                "x-amzn-trace-id"};
  return std::find(std::begin(kNames), std::end(kNames), lowerName) != std::end(kNames);
}

void eraseHeader(std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace

std::string signRequest(std::string_view method, std::string_view target,
                        std::vector<std::pair<std::string, std::string>>& headers,
                        std::string_view body, const SignParams& params) {
  const bool s3 = params.service == "s3";
  const std::string amzDate = formatAmzDate(params.time);
  eraseHeader(headers, "authorization");
  eraseHeader(headers, "x-amz-date");
  headers.emplace_back("X-Amz-Date", amzDate);
  if (!params.securityToken.empty()) {
    eraseHeader(headers, "x-amz-security-token");
    headers.emplace_back("X-Amz-Security-Token", params.securityToken);
  }
  std::string payloadHash = params.payloadHash ? *params.payloadHash : sha256Hex(body);
  if (s3 || params.payloadHash) {
    eraseHeader(headers, "x-amz-content-sha256");
    headers.emplace_back("X-Amz-Content-SHA256", payloadHash);
  }
  std::set<std::string> names;
  for (const auto& h : headers) {
    std::string lower = toLower(h.first);
    if (!neverSigned(lower)) names.insert(std::move(lower));
  }
  std::string signedHeaders;
  for (const auto& n : names) {
    if (!signedHeaders.empty()) signedHeaders.push_back(';');
    signedHeaders.append(n);
  }
  const std::string date = amzDate.substr(0, 8);
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  HttpRequestView view{method, target, headers, body};
  std::string canonical = canonicalRequest(view, signedHeaders, payloadHash, s3, false);
  std::string key =
      deriveSigningKey(params.credentials.secretAccessKey, date, params.region, params.service);
  std::string signature = hexEncode(hmacSha256(key, stringToSign(amzDate, scope, canonical)));
  headers.emplace_back("Authorization", std::string(kAlgorithm) +
                                            " Credential=" + params.credentials.accessKeyId + "/" +
                                            scope + ", SignedHeaders=" + signedHeaders +
                                            ", Signature=" + signature);
  return signature;
}

std::string presignTarget(std::string_view method, std::string_view target, std::string_view host,
                          std::chrono::seconds expires, const SignParams& params) {
  const bool s3 = params.service == "s3";
  const std::string amzDate = formatAmzDate(params.time);
  const std::string date = amzDate.substr(0, 8);
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  std::string out(target);
  out.push_back(out.find('?') == std::string::npos ? '?' : '&');
  out += "X-Amz-Algorithm=AWS4-HMAC-SHA256";
  out += "&X-Amz-Credential=" + uriEncode(params.credentials.accessKeyId + "/" + scope, false);
  out += "&X-Amz-Date=" + amzDate;
  out += "&X-Amz-Expires=" + std::to_string(expires.count());
  out += "&X-Amz-SignedHeaders=host";
  if (!params.securityToken.empty()) {
    out += "&X-Amz-Security-Token=" + uriEncode(params.securityToken, false);
  }
  std::string payloadHash = params.payloadHash
                                ? *params.payloadHash
                                : (s3 ? std::string(kUnsignedPayload) : std::string(kEmptySha256));
  HttpRequestView view{method, out, {{"Host", std::string(host)}}, std::string_view()};
  std::string canonical = canonicalRequest(view, "host", payloadHash, s3, true);
  std::string key =
      deriveSigningKey(params.credentials.secretAccessKey, date, params.region, params.service);
  out += "&X-Amz-Signature=" + hexEncode(hmacSha256(key, stringToSign(amzDate, scope, canonical)));
  return out;
}

}  // namespace sluice::gateway

namespace sluice::gateway {

AwsError withS3Details(AwsError error, const SigV4Diagnostics& diag) {
  if (error.code == "SignatureDoesNotMatch") {
    return std::move(error)
        .with("AWSAccessKeyId", diag.accessKeyId)
        .with("StringToSign", diag.stringToSign)
        .with("SignatureProvided", diag.signatureProvided)
        .with("StringToSignBytes", sigv4_detail::bytesText(diag.stringToSign))
        .with("CanonicalRequest", diag.canonicalRequest)
        .with("CanonicalRequestBytes", sigv4_detail::bytesText(diag.canonicalRequest));
  }
  if (error.code == "RequestTimeTooSkewed") {
    return std::move(error)
        .with("RequestTime", diag.requestTime)
        .with("ServerTime", diag.serverTime)
        .with("MaxAllowedSkewMilliseconds", std::to_string(diag.maxAllowedSkewMilliseconds));
  }
  if (error.code == "AccessDenied" && error.message == "Request has expired") {
    if (auto sent = parseAmzDate(diag.requestTime)) {
      return std::move(error)
          .with("X-Amz-Expires", std::to_string(diag.expiresSeconds))
          .with("Expires", formatIso8601(*sent + std::chrono::seconds(diag.expiresSeconds)))
          .with("ServerTime", diag.serverTime);
    }
  }
  if (error.code == "AccessDenied" && !diag.headersNotSigned.empty()) {
    return std::move(error).with("HeadersNotSigned", diag.headersNotSigned);
  }
  return error;
}

}  // namespace sluice::gateway
