#include "gateway/gateway.hpp"

#include "gateway/protocols.hpp"
#include "gateway/s3_post_form.hpp"
#include "gateway/sigv2.hpp"

namespace sluice::gateway {

namespace {

HttpRequestView viewOf(const HttpRequest& r) {
  HttpRequestView v;
  v.method = r.method;
  v.target = r.target;
  v.headers = r.headers;
  if (r.streamed) {
    if (!r.streamed->sha256.empty()) v.bodySha256 = r.streamed->sha256;
  } else if (!r.bodyError) {  // a body not read cannot be hashed
    v.body = std::string_view(r.body);
  }
  return v;
}

}  // namespace

Gateway::Gateway(const services::OperationRegistry& registry, const Clock& clock, IdGenerator& ids,
                 GatewayOptions options, AdminHandler admin)
    : registry_(registry),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)),
      protocols_(builtinProtocols(registry, clock, options_.credentials)),
      admin_(std::move(admin)) {}

const Protocol& Gateway::protocolFor(const HttpRequest& request, std::string_view service) const {
  for (const auto& p : protocols_) {
    if (p->claims(request, service)) return *p;
  }
  return *protocols_.front();  // awsJson: its error shape is the generic one
}

void Gateway::handle(HttpRequest request, HttpReply reply) const {
  std::string requestId = ids_.uuid();
  if (request.target.starts_with("/_sluice/") && admin_ && admin_(request, reply)) return;

  // Service detection: the SigV4 credential scope names the service; JSON
  // protocols also name it through X-Amz-Target.
  HttpRequestView view = viewOf(request);
  auto scope = parseScope(view);
  std::string_view target = request.header("X-Amz-Target");
  std::string service;
  if (!target.empty()) {
    service = registry_.serviceForTarget(target.substr(0, target.find('.')));
  }
  if (service.empty() && scope) service = scope->service;
  const Protocol& protocol = protocolFor(request, service);
  // A large body streamed to disk, for a protocol that parses bodies from
  // memory (and whose signatures hash the body itself).
  if (request.streamed && !protocol.takesStreamedBodies()) {
    auto body = request.streamed->file.readAll();
    if (!body) return reply(protocol.errorResponse(body.error(), request, requestId));
    request.body = std::move(*body);
    request.streamed.reset();
    view = viewOf(request);
  }

  // Authentication.
  RoutedRequest routed;
  routed.service = service;
  routed.ctx.requestId = requestId;
  routed.ctx.host = std::string(request.header("Host"));
  routed.ctx.scope.account = options_.defaultAccount;
  routed.ctx.scope.region =
      scope && !scope->region.empty() ? scope->region : options_.defaultRegion;
  if (protocol.authErrorStyle() == AuthErrorStyle::S3 &&
      isS3BrowserPost(request.method, request.header("Content-Type")) &&
      request.header("Authorization").empty()) {
    // A browser upload: its signed policy is its authentication, checked
    // with the form (RestXmlProtocol::handleBrowserPost).
    routed.authenticateByPolicy = !options_.credentials.empty();
  } else if (!options_.credentials.empty() && protocol.authErrorStyle() == AuthErrorStyle::S3 &&
             isSigV2(view)) {
    // S3's legacy signature (boto3's default for presigned URLs with signature_version="s3").
    auto verified = verifySigV2(view, options_.credentials, clock_.now());
    if (!verified) return reply(protocol.errorResponse(verified.error(), request, requestId));
    routed.ctx.accessKeyId = verified->accessKeyId;
  } else if (!options_.credentials.empty()) {
    VerifyOptions vo;
    vo.style = protocol.authErrorStyle();
    SigV4Diagnostics diag;
    if (vo.style == AuthErrorStyle::S3) vo.diagnostics = &diag;
    auto verified = verify(view, options_.credentials, clock_.now(), vo);
    if (!verified) {
      AwsError error = verified.takeError();
      if (vo.diagnostics) error = withS3Details(std::move(error), diag);
      return reply(protocol.errorResponse(error, request, requestId));
    }
    routed.ctx.accessKeyId = verified->scope.accessKeyId;
    routed.verified = std::move(*verified);
  } else if (scope) {
    routed.ctx.accessKeyId = scope->accessKeyId;
  }

  // A body the HTTP server refused or could not read whole.
  if (request.bodyError) {
    return reply(protocol.errorResponse(*request.bodyError, request, requestId));
  }

  if (!protocol.claims(request, service)) {
    return reply(protocol.errorResponse(
        {"UnknownOperationException",
         "Sluice cannot route this request: no X-Amz-Target and no service it knows handles '" +
             request.method + " " + request.target + "'.",
         400},
        request, requestId));
  }
  routed.http = std::move(request);
  protocol.handle(std::move(routed), std::move(reply));
}

}  // namespace sluice::gateway
