// A small AWS client for Sluice's own CLI commands (`sluice deploy`): awsQuery
// calls (CloudFormation) and S3 puts against a running `sluice server` — or
// any AWS endpoint — signed with SigV4 from the usual environment variables.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "gateway/sigv4.hpp"
#include "gateway/xml_reader.hpp"

namespace sluice::cli {

struct AwsClientOptions {
  std::string endpoint;  // "http://127.0.0.1:4566"
  std::string region = "us-east-1";
  gateway::Credentials credentials{"test", "test"};
  // From AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID
  // and AWS_SECRET_ACCESS_KEY, with Sluice's local defaults.
  static AwsClientOptions fromEnvironment();
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class AwsClient {
 public:
  explicit AwsClient(AwsClientOptions options) : options_(std::move(options)) {}

  // Calls `action` of an awsQuery service; the <ActionResult> element, or the
  // service's error (code and message from its <ErrorResponse>).
  Result<gateway::XmlElement> query(const std::string& service, const std::string& version,
                                    const std::string& action, const QueryParams& params) const;
  // S3: CreateBucket (a bucket already ours is fine) and PutObject.
  Result<void> ensureBucket(const std::string& bucket) const;
  Result<void> putObject(const std::string& bucket, const std::string& key,
                         const std::string& body) const;

 private:
  struct Response {
    int status = 0;
    std::string body;
  };
  Result<Response> send(const std::string& service, const std::string& method,
                        const std::string& target,
                        std::vector<std::pair<std::string, std::string>> headers,
                        const std::string& body) const;

  AwsClientOptions options_;
};

// The text of the element at `path` under `e` ("" when absent).
std::string xmlText(const gateway::XmlElement& e, std::initializer_list<std::string_view> path);

}  // namespace sluice::cli
