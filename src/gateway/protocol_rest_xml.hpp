// The restXml protocol (S3): path-style (/bucket/key) and virtual-host-style
// (bucket.localhost) requests, aws-chunked bodies, presigned URLs, model-driven
// decoding and encoding (rest_xml_codec.hpp) and S3's XML errors.
//
// It claims requests whose SigV4 scope names "s3", and anonymous requests
// that no JSON or query protocol claims (no X-Amz-Target, not a form POST).
#pragma once

#include "core/clock.hpp"
#include "gateway/protocol.hpp"
#include "gateway/sigv4.hpp"

namespace sluice::gateway {

// The restXml errors S3 clients parse: a few generic codes get S3's names.
AwsError asS3Error(AwsError e);

class RestXmlProtocol final : public Protocol {
 public:
  // `credentials` verify browser-upload policies (s3_post_form.hpp); empty:
  // any signature is accepted, as for every other request.
  RestXmlProtocol(const services::OperationRegistry& registry, const Clock& clock,
                  const CredentialStore& credentials)
      : registry_(registry), clock_(clock), credentials_(credentials) {}

  bool claims(const HttpRequest& request, std::string_view service) const override;
  AuthErrorStyle authErrorStyle() const override { return AuthErrorStyle::S3; }
  bool takesStreamedBodies() const override { return true; }
  HttpResponse errorResponse(const AwsError& error, const HttpRequest& request,
                             const std::string& requestId) const override;
  void handle(RoutedRequest request, HttpReply reply) const override;

 private:
  // A browser upload (POST Object) to `bucket`: its policy checked, then
  // PutObject (protocol_rest_xml_post.cpp).
  void handleBrowserPost(RoutedRequest request, const std::string& bucket, HttpReply reply) const;

  const services::OperationRegistry& registry_;
  const Clock& clock_;
  const CredentialStore& credentials_;
};

}  // namespace sluice::gateway
