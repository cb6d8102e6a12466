// A blocking HTTP/1.1 POST for SNS's HTTP(S) deliveries (run on the engine's
// worker pool, never on the loop thread). https:// endpoints are reached over
// TLS with the certificate verified (chain and host name) through `tls`.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sluice::services::sns {

struct HttpPostResult {
  int status = 0;     // the HTTP status; 0 when no response arrived
  std::string error;  // why, when no response arrived
  bool ok() const { return status >= 200 && status < 300; }
};

// `tls` may be null: https:// endpoints then fail.
HttpPostResult httpPost(const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, std::chrono::seconds timeout,
                        boost::asio::ssl::context* tls);

}  // namespace sluice::services::sns
