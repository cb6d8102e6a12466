#include "gateway/protocol_rest_xml.hpp"

#include <strings.h>

#include <charconv>

#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "core/text.hpp"
#include "gateway/aws_chunked.hpp"
#include "gateway/rest_xml_codec.hpp"
#include "gateway/s3_cors.hpp"
#include "gateway/s3_post_form.hpp"

namespace sluice::gateway {

namespace {

constexpr std::string_view kService = "s3";

struct Target {
  std::string_view path;
  std::string_view query;
};

Target splitTarget(std::string_view target) {
  // Absolute-form ("http://host/path?q"): keep path and query.
  if (auto scheme = target.find("://"); scheme != std::string_view::npos && target[0] != '/') {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string resourceOf(const HttpRequest& r) {
  return percentDecode(splitTarget(r.target).path);
}

bool isFormPost(const HttpRequest& r) {
  std::string_view ct = r.header("Content-Type");
  return r.method == "POST" && ct.find("x-www-form-urlencoded") != std::string_view::npos;
}

// A presigned URL's X-Amz-Date + X-Amz-Expires against the clock, for the
// case where signatures are not verified (no keys configured).
// SigV2 query authentication (what boto3 presigns by default) carries an
// absolute Expires in epoch seconds.
std::optional<AwsError> presignExpired(const restxml::QueryParams& query, TimePoint now) {
  std::string date, expires, v2Expires;
  bool v2 = false;
  for (const auto& [k, v] : query) {
    if (k == "X-Amz-Date") date = v;
    if (k == "X-Amz-Expires") expires = v;
    if (k == "AWSAccessKeyId") v2 = true;
    if (k == "Expires") v2Expires = v;
  }
  if (v2 && !v2Expires.empty()) {
    long long at = 0;
    auto [ptr, ec] = std::from_chars(v2Expires.data(), v2Expires.data() + v2Expires.size(), at);
    if (ec != std::errc() || ptr != v2Expires.data() + v2Expires.size()) {
      return AwsError{"AccessDenied", "Invalid date (should be seconds since epoch): " + v2Expires,
                      403};
    }
    if (now > fromSeconds(static_cast<double>(at))) {
      return AwsError{"AccessDenied", "Request has expired", 403};
    }
    return std::nullopt;
  }
  if (date.empty() || expires.empty()) return std::nullopt;
  auto when = parseAmzDate(date);
  long long seconds = 0;
  auto [ptr, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
  if (!when || ec != std::errc() || ptr != expires.data() + expires.size()) {
    return AwsError{"AuthorizationQueryParametersError", "X-Amz-Expires should be a number", 400};
  }
  // S3 refuses a presigned URL valid for more than a week even unsigned.
  if (seconds < 0) {
    return AwsError{"AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative", 400};
  }
  if (seconds > 604800) {
    return AwsError{"AuthorizationQueryParametersError",
                    "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                    "X-Amz-Expires must be less than 604800 seconds",
                    400};
  }
  if (now > *when + std::chrono::seconds(seconds)) {
    return AwsError{"AccessDenied", "Request has expired", 403};
  }
  return std::nullopt;
}

}  // namespace

AwsError asS3Error(AwsError e) {
  if (e.code == "ValidationException" || e.code == "SerializationException") {
    e.code = "InvalidArgument";
    e.httpStatus = 400;
  } else if (e.code == "InternalFailure") {
    e.code = "InternalError";
  }
  return e;
}

bool RestXmlProtocol::claims(const HttpRequest& request, std::string_view service) const {
  if (service == kService) return true;
  if (!service.empty()) return false;
  return request.header("X-Amz-Target").empty() && !isFormPost(request);
}

HttpResponse RestXmlProtocol::errorResponse(const AwsError& error, const HttpRequest& request,
                                            const std::string& requestId) const {
  return restxml::encodeError(asS3Error(error), resourceOf(request), requestId,
                              request.method == "HEAD");
}

void RestXmlProtocol::handle(RoutedRequest request, HttpReply reply) const {
  HttpRequest& http = request.http;
  const std::string requestId = request.ctx.requestId;
  const bool head = http.method == "HEAD";
  std::string resource = resourceOf(http);
  auto fail = [&](const AwsError& e) {
    reply(restxml::encodeError(asS3Error(e), resource, requestId, head));
  };
  const auto* model = services::model::ServiceModel::get(kService);
  if (!model) return fail({"NotImplemented", "S3 is not available.", 501});

  // S3 needs to know a body's length: a chunked transfer without one (no
  // x-amz-decoded-content-length, as the SDKs' aws-chunked uploads send) is
  // refused whatever the operation.
  if ((http.method == "PUT" || http.method == "POST") &&
      http.header("Transfer-Encoding").find("chunked") != std::string_view::npos &&
      http.header("x-amz-decoded-content-length").empty()) {
    return fail(AwsError{"NotImplemented",
                         "A header you provided implies functionality that is not implemented", 501}
                    .with("Header", "Transfer-Encoding"));
  }

  Target target = splitTarget(http.target);
  auto a =
      restxml::address(target.path, target.query, restxml::virtualHostBucket(http.header("Host")));
  if (isS3BrowserPost(http.method, http.header("Content-Type")) && !a.key && a.query.empty() &&
      !a.bucket.empty()) {
    return handleBrowserPost(std::move(request), a.bucket, std::move(reply));
  }
  // A browser's CORS preflight carries no credentials: it is answered from
  // the bucket's CORS rules alone.
  if (http.method == "OPTIONS" && !a.bucket.empty()) {
    std::string origin(http.header("Origin")), method(http.header("Access-Control-Request-Method"));
    if (origin.empty()) {
      return fail({"BadRequest", "Insufficient information. Origin request header needed.", 400});
    }
    if (method.empty()) {
      return fail({"BadRequest", "Invalid Access-Control-Request-Method: null", 400});
    }
    auto headers = splitList(http.header("Access-Control-Request-Headers"));
    std::string resourceType = a.key ? "OBJECT" : "BUCKET";
    registry_.call(kService, "GetBucketCors", JsonObject{{"Bucket", a.bucket}}, request.ctx,
                   [reply = std::move(reply), origin, method, headers, requestId, resource,
                    resourceType](Result<Json> rules) {
                     auto refuse = [&](std::string why) {
                       AwsError e = AwsError{"AccessForbidden", "CORSResponse: " + why, 403}
                                        .with("Method", method)
                                        .with("ResourceType", resourceType);
                       reply(restxml::encodeError(e, resource, requestId, false));
                     };
                     if (!rules) {
                       if (rules.error().code != "NoSuchCORSConfiguration") {
                         return reply(restxml::encodeError(asS3Error(rules.error()), resource,
                                                           requestId, false));
                       }
                       return refuse("CORS is not enabled for this bucket.");
                     }
                     auto allowed = corsHeaders(rules->as_object().at("CORSRules"), origin, method,
                                                headers, true);
                     if (!allowed) {
                       return refuse(
                           "This CORS request is not allowed. This is usually because the "
                           "evalution of Origin, request method / Access-Control-Request-Method "
                           "or Access-Control-Request-Headers are not whitelisted by the "
                           "resource's CORS spec.");
                     }
                     HttpResponse r;
                     r.headers = {{"x-amz-request-id", requestId}, {"x-amz-id-2", requestId}};
                     for (auto& h : *allowed) r.headers.push_back(std::move(h));
                     reply(std::move(r));
                   });
    return;
  }
  if (request.authenticateByPolicy) return fail({"AccessDenied", "Access Denied", 403});
  if (!request.verified) {
    if (auto expired = presignExpired(a.query, clock_.now())) return fail(*expired);
  }
  auto match = restxml::matchOperation(*model, http.method, a, http, [&](std::string_view name) {
    return registry_.has(kService, name);
  });
  if (!match.addressed) {
    return fail(
        {"MethodNotAllowed", "The specified method is not allowed against this resource.", 405});
  }
  if (!match.op) {
    return fail({"NotImplemented",
                 "Sluice does not implement " + match.addressed->name +
                     " yet; the request was not carried out.",
                 501});
  }
  const auto* op = match.op;

  // aws-chunked bodies: decode in place (a streamed body was decoded on its
  // way to disk), and take the trailing checksum headers as if they had been
  // sent up front.
  auto variant =
      awsChunkedFraming(http.header("x-amz-content-sha256"), http.header("Content-Encoding"));
  if (variant) {
    variant->verified = request.verified ? &*request.verified : nullptr;
    std::vector<std::pair<std::string, std::string>> trailers;
    uint64_t decodedBytes = 0;
    if (http.streamed && http.streamed->chunked) {
      auto& decoded = *http.streamed->chunked;
      if (request.verified) {
        if (auto r = verifyAwsChunkedSignatures(decoded, *variant, *request.verified); !r) {
          return fail(r.error());
        }
      }
      trailers = std::move(decoded.trailers);
      decodedBytes = decoded.decodedBytes;
    } else {
      auto decoded = decodeAwsChunked(http.body, *variant);
      if (!decoded) return fail(decoded.error());
      trailers = std::move(*decoded);
      decodedBytes = http.body.size();
    }
    std::string_view decodedLength = http.header("x-amz-decoded-content-length");
    if (!decodedLength.empty() && decodedLength != std::to_string(decodedBytes)) {
      return fail({"IncompleteBody",
                   "You did not provide the number of bytes specified by the Content-Length HTTP "
                   "header",
                   400});
    }
    for (auto& t : trailers) http.headers.emplace_back(std::move(t));
    // What the object keeps is the content encoding without the framing.
    for (auto& [k, v] : http.headers) {
      if (strcasecmp(k.c_str(), "Content-Encoding") != 0) continue;
      std::string kept;
      size_t start = 0;
      while (start <= v.size()) {
        auto comma = v.find(',', start);
        std::string item = v.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty() && item != "aws-chunked") kept += (kept.empty() ? "" : ",") + item;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      v = kept;
    }
  }

  // Content-MD5 of structured (XML) bodies; object bodies are checked by the
  // operation, which also serves the workflow door.
  const auto* payloadMember = op->input && !op->input->payload.empty()
                                  ? op->input->findMember(op->input->payload)
                                  : nullptr;
  bool blobPayload = payloadMember && payloadMember->shape &&
                     payloadMember->shape->type == services::model::ShapeType::Blob;
  // Only a blob payload travels as a file; anything else is parsed from memory.
  if (http.streamed && !blobPayload) {
    auto body = http.streamed->file.readAll();
    if (!body) return fail(body.error());
    http.body = std::move(*body);
    http.streamed.reset();
  }
  if (std::string_view md5 = http.header("Content-MD5"); !md5.empty() && !blobPayload) {
    auto raw = base64Decode(md5);
    if (!raw || raw->size() != 16) {
      return fail({"InvalidDigest", "The Content-MD5 you specified is not valid.", 400});
    }
    std::string hex;
    static constexpr char kDigits[] = "0123456789abcdef";
    for (unsigned char c : *raw) {
      hex += kDigits[c >> 4];
      hex += kDigits[c & 15];
    }
    if (hexDigest("MD5", http.body) != hex) {
      return fail(
          {"BadDigest", "The Content-MD5 you specified did not match what we received.", 400});
    }
  }

  auto payload = std::make_shared<services::Payload>();
  if (http.streamed) payload->requestFile = std::move(http.streamed->file);
  auto input = restxml::decodeInput(*op, a, http, std::move(http.body), *payload);
  if (!input) return fail(input.error());
  request.ctx.payload = payload;
  // A browser's request (it names its Origin) gets the CORS headers of the
  // rule that allows it, as S3 adds them.
  std::string origin(http.header("Origin"));
  if (!origin.empty() && !a.bucket.empty()) {
    reply = [this, reply = std::move(reply), origin, method = http.method, bucket = a.bucket,
             ctx = request.ctx](HttpResponse r) mutable {
      registry_.call(
          kService, "GetBucketCors", JsonObject{{"Bucket", bucket}}, ctx,
          [reply = std::move(reply), r = std::move(r), origin, method](Result<Json> rules) mutable {
            if (rules) {
              if (auto h =
                      corsHeaders(rules->as_object().at("CORSRules"), origin, method, {}, false)) {
                for (auto& x : *h) r.headers.push_back(std::move(x));
              }
            }
            reply(std::move(r));
          });
    };
  }
  registry_.call(
      kService, op->name, *input, request.ctx,
      [reply = std::move(reply), op, payload, requestId, resource, head](Result<Json> result) {
        if (!result) {
          return reply(restxml::encodeError(asS3Error(result.error()), resource, requestId, head));
        }
        HttpResponse r = restxml::encodeOutput(*op, *result, *payload, requestId);
        r.headOnly = head;
        reply(std::move(r));
      });
}

}  // namespace sluice::gateway
