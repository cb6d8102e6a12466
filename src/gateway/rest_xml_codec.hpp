// The restXml wire format (S3), driven by the service model's HTTP bindings:
// which operation a request is (method + URI shape + the query keys and
// required members it carries), the operation input decoded from the URI
// labels, query string, headers and payload, and the output encoded into
// headers, status and an XML (or raw) body.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "gateway/http_server.hpp"
#include "services/model/service_model.hpp"
#include "services/payload.hpp"

namespace sluice::gateway::restxml {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// A request after addressing: bucket and key from the path (or Host).
struct Addressed {
  std::string bucket;              // empty: service level ("GET /")
  std::optional<std::string> key;  // present when the path names one
  QueryParams query;               // decoded names and values, in order
};

// "a=1&b&c=%2F" -> {{"a","1"},{"b",""},{"c","/"}} ('+' reads as a space).
QueryParams parseQuery(std::string_view rawQuery);

// Splits a path-style path "/bucket/key..." (percent-encoded) into bucket
// and key; `hostBucket` (virtual-host style) takes the bucket's place.
Addressed address(std::string_view rawPath, std::string_view rawQuery,
                  const std::optional<std::string>& hostBucket);

// The bucket named by a virtual-host style Host ("bucket.localhost:4566",
// "bucket.s3.localhost", "bucket.s3.us-east-1.amazonaws.com"); nullopt for
// path-style hosts (IP addresses, "localhost", "s3.<anything>").
std::optional<std::string> virtualHostBucket(std::string_view host);

// What a request addresses in the service model. `addressed` is the most
// specific model operation the method, path, subresources and required
// members select (among equally specific ones, a built one is preferred);
// `op` is that operation when it is built, nullptr otherwise. A request for
// an unbuilt subresource never falls through to a less specific operation
// (PUT /b/k?acl is PutObjectAcl, never PutObject).
struct OperationMatch {
  const services::model::Operation* op = nullptr;
  const services::model::Operation* addressed = nullptr;
};
OperationMatch matchOperation(const services::model::ServiceModel& model, std::string_view method,
                              const Addressed& a, const HttpRequest& http,
                              const std::function<bool(std::string_view)>& available);

// Builds the operation's input JSON. A streaming blob payload is moved into
// `payload.requestBody` instead of the JSON.
Result<Json> decodeInput(const services::model::Operation& op, const Addressed& a,
                         const HttpRequest& http, std::string&& body, services::Payload& payload);

// Encodes a successful output.
HttpResponse encodeOutput(const services::model::Operation& op, const Json& output,
                          services::Payload& payload, const std::string& requestId);

// <Error><Code/><Message/><Resource/><RequestId/></Error>.
HttpResponse encodeError(const AwsError& error, std::string_view resource,
                         const std::string& requestId, bool head);

}  // namespace sluice::gateway::restxml
