#include "gateway/sigv2.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "core/encoding.hpp"
#include "gateway/rest_xml_codec.hpp"
#include "gateway/sigv4_internal.hpp"

namespace sluice::gateway {

using namespace sigv4_detail;

namespace {

constexpr std::chrono::minutes kMaxSkew{15};

constexpr std::string_view kMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "key and signing method.";

// The query parameters S3 signs as sub-resources (the names boto3's SigV2
// signer includes, which is what S3 expects), sorted.
constexpr std::string_view kSubResources[] = {
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
};

bool isSubResource(std::string_view name) {
  return std::binary_search(std::begin(kSubResources), std::end(kSubResources), name);
}

struct RawParam {
  std::string name;   // decoded
  std::string value;  // decoded
  bool hasValue = false;
};

// The query as sent, in order; names and values decoded.
std::vector<RawParam> rawParams(std::string_view query) {
  std::vector<RawParam> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    RawParam p;
    p.name = percentDecode(part.substr(0, eq));
    if (eq != std::string_view::npos) {
      p.hasValue = true;
      p.value = percentDecode(part.substr(eq + 1));
    }
    out.push_back(std::move(p));
  }
  return out;
}

const RawParam* findParam(const std::vector<RawParam>& params, std::string_view name) {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// A header value as S3 signs it: trimmed, line folding replaced by one space.
std::string unfolded(std::string_view value) {
  std::string out;
  bool pendingSpace = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' || c == '\n') {
      pendingSpace = true;
      while (i + 1 < value.size() && (value[i + 1] == ' ' || value[i + 1] == '\t' ||
                                      value[i + 1] == '\r' || value[i + 1] == '\n')) {
        ++i;
      }
      continue;
    }
    if (pendingSpace && !out.empty()) out += ' ';
    pendingSpace = false;
    out += c;
  }
  return std::string(trim(out));
}

std::string canonicalAmzHeaders(const HttpRequestView& request,
                                const std::vector<RawParam>* queryHeaders, bool withAmzDate) {
  std::map<std::string, std::string> amz;  // sorted by lowercase name
  auto add = [&](std::string name, std::string_view value) {
    name = toLower(name);
    if (!name.starts_with("x-amz-") || (!withAmzDate && name == "x-amz-date")) return;
    auto [it, fresh] = amz.try_emplace(std::move(name), unfolded(value));
    if (!fresh) it->second.append(",").append(unfolded(value));
  };
  for (const auto& [name, value] : request.headers) add(name, value);
  if (queryHeaders) {
    for (const auto& p : *queryHeaders) add(p.name, p.value);
  }
  std::string out;
  for (const auto& [name, value] : amz) out.append(name).append(":").append(value).append("\n");
  return out;
}

std::string canonicalResource(const HttpRequestView& request, std::string_view path,
                              const std::vector<RawParam>& params) {
  std::string out;
  if (auto bucket = restxml::virtualHostBucket(header(request, "host").value_or(""))) {
    out = "/" + *bucket;
  }
  out.append(path.empty() ? "/" : path);
  // A bucket alone is "/bucket/" (path-style "/bucket" included): what S3,
  // and so every SigV2 signer, uses.
  if (out.size() > 1 && out.find('/', 1) == std::string::npos) out += '/';
  std::vector<const RawParam*> signedParams;
  for (const auto& p : params) {
    if (isSubResource(p.name)) signedParams.push_back(&p);
  }
  std::stable_sort(signedParams.begin(), signedParams.end(),
                   [](const RawParam* a, const RawParam* b) { return a->name < b->name; });
  for (size_t i = 0; i < signedParams.size(); ++i) {
    out += i == 0 ? '?' : '&';
    out += signedParams[i]->name;
    if (signedParams[i]->hasValue) out.append("=").append(signedParams[i]->value);
  }
  return out;
}

bool queryForm(const std::vector<RawParam>& params) {
  return findParam(params, "AWSAccessKeyId") || findParam(params, "Signature");
}

AwsError accessDenied(std::string message) {
  return {"AccessDenied", std::move(message), 403};
}

// Where a header-form request with x-amz-date puts its date. S3's rule is
// the first; its own documented example does the second; and a signer that
// always signs Date (as boto3's does) while x-amz-date is also sent, the third.
enum class DateStyle {
  AmzDateHeaderOnly,    // Date position empty, x-amz-date among the x-amz- headers
  AmzDatePositional,    // x-amz-date's value in the Date position, not repeated
  DateAndAmzDateHeader  // the Date header in its position, x-amz-date among the headers
};

std::string stringToSign(const HttpRequestView& request, DateStyle style) {
  SplitTarget target = splitTarget(request.target);
  auto params = rawParams(target.query);
  const bool presigned = queryForm(params) && !header(request, "authorization");
  // Content-MD5 / Content-Type: the headers; a presigned URL may carry them in its query.
  auto positional = [&](std::string_view name) -> std::string {
    if (auto h = header(request, name)) return std::string(trim(*h));
    if (presigned) {
      for (const auto& p : params) {
        if (iequals(p.name, name)) return p.value;
      }
    }
    return {};
  };
  auto amzDate = header(request, "x-amz-date");
  std::string date;
  bool amzDateAmongHeaders = true;
  if (presigned) {
    if (const RawParam* e = findParam(params, "Expires")) date = e->value;
  } else if (!amzDate || style == DateStyle::DateAndAmzDateHeader) {
    date = std::string(trim(header(request, "date").value_or("")));
  } else if (style == DateStyle::AmzDatePositional) {
    date = unfolded(*amzDate);
    amzDateAmongHeaders = false;
  }
  std::string out(request.method);
  out.append("\n").append(positional("content-md5"));
  out.append("\n").append(positional("content-type"));
  out.append("\n").append(date).append("\n");
  out.append(canonicalAmzHeaders(request, presigned ? &params : nullptr, amzDateAmongHeaders));
  out.append(canonicalResource(request, target.path, params));
  return out;
}

}  // namespace

bool isSigV2(const HttpRequestView& request) {
  if (auto auth = header(request, "authorization")) return trim(*auth).starts_with("AWS ");
  return queryForm(rawParams(splitTarget(request.target).query));
}

std::string sigV2StringToSign(const HttpRequestView& request) {
  return stringToSign(request, DateStyle::AmzDateHeaderOnly);
}

std::string sigV2Signature(std::string_view secretAccessKey, std::string_view stringToSign) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secretAccessKey.data(), static_cast<int>(secretAccessKey.size()),
       reinterpret_cast<const unsigned char*>(stringToSign.data()), stringToSign.size(), mac, &len);
  return base64Encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

Result<SigV2Verified> verifySigV2(const HttpRequestView& request, const CredentialStore& store,
                                  TimePoint now) {
  SplitTarget target = splitTarget(request.target);
  auto params = rawParams(target.query);
  auto auth = header(request, "authorization");
  SigV2Verified out;
  std::string signature;
  if (auth) {
    if (queryForm(params) || findParam(params, "X-Amz-Signature")) {
      return AwsError{"InvalidArgument",
                      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                      "Signature query string parameter or the Authorization header should be "
                      "specified",
                      400};
    }
    std::string_view value = trim(*auth);
    std::string_view rest = trim(value.substr(4));  // after "AWS "
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
      return AwsError{"InvalidArgument",
                      "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
                      400}
          .with("ArgumentName", "Authorization")
          .with("ArgumentValue", std::string(value));
    }
    out.accessKeyId = std::string(rest.substr(0, colon));
    signature = std::string(rest.substr(colon + 1));
  } else {
    const RawParam* id = findParam(params, "AWSAccessKeyId");
    const RawParam* sig = findParam(params, "Signature");
    const RawParam* expires = findParam(params, "Expires");
    if (!id || !sig || !expires) {
      return accessDenied(
          "Query-string authentication requires the Signature, Expires and AWSAccessKeyId "
          "parameters");
    }
    out.accessKeyId = id->value;
    out.presigned = true;
    signature = sig->value;
  }

  if (!store.find(out.accessKeyId)) {
    return AwsError{"InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records.", 403}
        .with("AWSAccessKeyId", out.accessKeyId);
  }

  if (out.presigned) {
    const std::string& text = findParam(params, "Expires")->value;
    long long at = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), at);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return accessDenied("Invalid date (should be seconds since epoch): " + text);
    }
    TimePoint expiry = fromSeconds(static_cast<double>(at));
    if (now > expiry) {
      return accessDenied("Request has expired")
          .with("Expires", formatIso8601(expiry))
          .with("ServerTime", formatIso8601(now));
    }
  } else {
    auto sent = header(request, "x-amz-date");
    if (!sent) sent = header(request, "date");
    auto when = sent ? parseHttpDate(trim(*sent)) : std::nullopt;
    if (!when) return accessDenied("AWS authentication requires a valid Date or x-amz-date header");
    if (*when > now + kMaxSkew || *when < now - kMaxSkew) {
      return AwsError{"RequestTimeTooSkewed",
                      "The difference between the request time and the current time is too "
                      "large.",
                      403}
          .with("RequestTime", std::string(trim(*sent)))
          .with("ServerTime", formatIso8601(now))
          .with("MaxAllowedSkewMilliseconds",
                std::to_string(std::chrono::milliseconds(kMaxSkew).count()));
    }
  }

  const std::string& secret = store.find(out.accessKeyId)->secretAccessKey;
  std::string toSign = sigV2StringToSign(request);
  bool match = signaturesEqual(sigV2Signature(secret, toSign), signature);
  if (!match && !out.presigned && header(request, "x-amz-date")) {
    for (auto style : {DateStyle::AmzDatePositional, DateStyle::DateAndAmzDateHeader}) {
      match =
          match || signaturesEqual(sigV2Signature(secret, stringToSign(request, style)), signature);
    }
  }
  if (!match) {
    return AwsError{"SignatureDoesNotMatch", std::string(kMismatchMessage), 403}
        .with("AWSAccessKeyId", out.accessKeyId)
        .with("StringToSign", toSign)
        .with("SignatureProvided", signature)
        .with("StringToSignBytes", bytesText(toSign));
  }
  return out;
}

}  // namespace sluice::gateway
