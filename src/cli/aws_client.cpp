#include "cli/aws_client.hpp"

#include <chrono>
#include <cstdlib>

#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "services/common/http_client.hpp"

namespace sluice::cli {

namespace {

std::string env(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// "http://host:port/..." → "host:port".
std::string authorityOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  return url.substr(start, url.find('/', start) - start);
}

AwsError errorOf(int status, const std::string& body) {
  auto xml = gateway::parseXml(body);
  if (xml) {
    const gateway::XmlElement* e = xml->name == "Error" ? &*xml : xml->child("Error");
    if (e) return {xmlText(*e, {"Code"}), xmlText(*e, {"Message"}), status};
  }
  return {"HttpError", "HTTP " + std::to_string(status) + ": " + body.substr(0, 300), status};
}

}  // namespace

AwsClientOptions AwsClientOptions::fromEnvironment() {
  AwsClientOptions o;
  o.endpoint = env("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
  o.region = env("AWS_REGION", env("AWS_DEFAULT_REGION", "us-east-1"));
  o.credentials = {env("AWS_ACCESS_KEY_ID", "test"), env("AWS_SECRET_ACCESS_KEY", "test")};
  return o;
}

std::string xmlText(const gateway::XmlElement& e, std::initializer_list<std::string_view> path) {
  const gateway::XmlElement* at = &e;
  for (std::string_view name : path) {
    at = at->child(name);
    if (!at) return {};
  }
  return at->text;
}

Result<AwsClient::Response> AwsClient::send(
    const std::string& service, const std::string& method, const std::string& target,
    std::vector<std::pair<std::string, std::string>> headers, const std::string& body) const {
  std::string base = options_.endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  headers.emplace_back("Host", authorityOf(base));
  gateway::SignParams sign;
  sign.credentials = options_.credentials;
  sign.region = options_.region;
  sign.service = service;
  sign.time = SystemClock().now();
  gateway::signRequest(method, target, headers, body, sign);
  auto r = services::httpRequest(method, base + target, headers, body, std::chrono::seconds(120),
                                 nullptr);
  if (r.status == 0) {
    return AwsError{"EndpointConnectionError", "cannot reach " + options_.endpoint + ": " + r.error,
                    0};
  }
  if (!r.ok()) return errorOf(r.status, r.body);
  return Response{r.status, std::move(r.body)};
}

Result<gateway::XmlElement> AwsClient::query(const std::string& service, const std::string& version,
                                             const std::string& action,
                                             const QueryParams& params) const {
  std::string body = "Action=" + percentEncode(action) + "&Version=" + percentEncode(version);
  for (const auto& [k, v] : params) body += "&" + percentEncode(k) + "=" + percentEncode(v);
  auto r = send(service, "POST", "/",
                {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}, body);
  if (!r) return r.takeError();
  auto xml = gateway::parseXml(r->body);
  if (!xml) return AwsError{"MalformedResponse", "the answer to " + action + " is not XML", 0};
  if (const gateway::XmlElement* result = xml->child(action + "Result")) return *result;
  return gateway::XmlElement{action + "Result", "", {}};
}

Result<void> AwsClient::ensureBucket(const std::string& bucket) const {
  auto r = send("s3", "PUT", "/" + percentEncode(bucket), {}, "");
  if (!r && r.error().code != "BucketAlreadyOwnedByYou") return r.takeError();
  return {};
}

Result<void> AwsClient::putObject(const std::string& bucket, const std::string& key,
                                  const std::string& body) const {
  auto r =
      send("s3", "PUT", "/" + percentEncode(bucket) + "/" + percentEncode(key, true), {}, body);
  if (!r) return r.takeError();
  return {};
}

}  // namespace sluice::cli
