// A blocking HTTP/1.1 client: SNS's HTTP(S) deliveries (on the engine's
// worker pool, never on the loop thread) and the `sluice deploy` CLI.
// https:// endpoints are reached over TLS with the certificate verified
// (chain and host name) through `tls`.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sluice::services {

struct HttpResult {
  int status = 0;     // the HTTP status; 0 when no response arrived
  std::string error;  // why, when no response arrived
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// `tls` may be null: https:// endpoints then fail. `target` is replaced by
// the URL's path and query; the Host header is the URL's authority.
HttpResult httpRequest(const std::string& method, const std::string& url,
                       const HttpHeaders& headers, const std::string& body,
                       std::chrono::seconds timeout, boost::asio::ssl::context* tls);

inline HttpResult httpPost(const std::string& url, const HttpHeaders& headers,
                           const std::string& body, std::chrono::seconds timeout,
                           boost::asio::ssl::context* tls) {
  return httpRequest("POST", url, headers, body, timeout, tls);
}

}  // namespace sluice::services
