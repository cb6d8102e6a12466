// A wire protocol: how one family of requests (awsJson, the query protocol,
// S3's restXml) is recognised, authenticated, decoded into operation calls
// and answered. The gateway asks each protocol in turn whether it claims a
// request; the first that does handles it, errors included, so every
// failure reaches the client in the shape its SDK parses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "gateway/http_server.hpp"
#include "gateway/sigv4.hpp"
#include "services/operation.hpp"

namespace sluice::gateway {

// A request after routing and authentication.
struct RoutedRequest {
  HttpRequest http;
  // The SigV4 signing name ("states", "sqs", "s3"), or empty when neither the
  // signature nor the protocol named one.
  std::string service;
  services::CallContext ctx;
  // Set when the signature was verified (keys configured): S3 needs the
  // signing context to verify aws-chunked bodies.
  std::optional<SigV4Verified> verified;
  // Keys are configured but no signature was checked: the request looked like
  // an S3 browser upload, whose signed policy the protocol must verify. Any
  // other request marked so is refused.
  bool authenticateByPolicy = false;
};

class Protocol {
 public:
  virtual ~Protocol() = default;

  // True when this protocol speaks for the request. `service` is what the
  // credential scope (or X-Amz-Target) named, possibly empty.
  virtual bool claims(const HttpRequest& request, std::string_view service) const = 0;

  // The error family its signature failures use.
  virtual AuthErrorStyle authErrorStyle() const = 0;

  // An error (authentication, routing, decoding) in this protocol's shape.
  virtual HttpResponse errorResponse(const AwsError& error, const HttpRequest& request,
                                     const std::string& requestId) const = 0;

  // True when it accepts a body streamed to a file (HttpRequest::streamed);
  // other protocols get such a body read back into HttpRequest::body.
  virtual bool takesStreamedBodies() const { return false; }

  // Decodes, calls the operation(s), encodes. Answers through `reply` once.
  virtual void handle(RoutedRequest request, HttpReply reply) const = 0;
};

}  // namespace sluice::gateway
