// A blocking HTTP/1.1 POST for SNS's HTTP deliveries (run on the engine's
// worker pool, never on the loop thread). Only http:// endpoints: https
// would need a TLS client and certificate handling Sluice does not have yet.
#pragma once

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

HttpPostResult httpPost(const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, std::chrono::seconds timeout);

}  // namespace sluice::services::sns
