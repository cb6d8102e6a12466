// The restXml protocol (S3): path-style (/bucket/key) and virtual-host-style
// (bucket.localhost) requests, aws-chunked bodies, presigned URLs, model-driven
// decoding and encoding (rest_xml_codec.hpp) and S3's XML errors.
//
// It claims requests whose SigV4 scope names "s3", and anonymous requests
// that no JSON or query protocol claims (no X-Amz-Target, not a form POST).
#pragma once

#include "core/clock.hpp"
#include "gateway/protocol.hpp"

namespace sluice::gateway {

class RestXmlProtocol final : public Protocol {
 public:
  RestXmlProtocol(const services::OperationRegistry& registry, const Clock& clock)
      : registry_(registry), clock_(clock) {}

  bool claims(const HttpRequest& request, std::string_view service) const override;
  AuthErrorStyle authErrorStyle() const override { return AuthErrorStyle::S3; }
  bool takesStreamedBodies() const override { return true; }
  HttpResponse errorResponse(const AwsError& error, const HttpRequest& request,
                             const std::string& requestId) const override;
  void handle(RoutedRequest request, HttpReply reply) const override;

 private:
  const services::OperationRegistry& registry_;
  const Clock& clock_;
};

}  // namespace sluice::gateway
