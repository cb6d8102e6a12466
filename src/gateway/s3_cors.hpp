// S3 CORS as a browser sees it: a bucket's CORSRules (GetBucketCors's
// output) matched against a request's Origin, method and headers, giving the
// Access-Control-* headers S3 answers with. Preflights (OPTIONS) are
// answered from this alone; other requests from a browser get the headers
// added to their response.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace sluice::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The first rule allowing `origin` to send `method` with `requestHeaders`
// (names, any case): its response headers; nullopt when none does.
// `preflight`: the answer to an OPTIONS (Allow-Headers echoes the request's).
std::optional<HeaderList> corsHeaders(const Json& rules, const std::string& origin,
                                      const std::string& method,
                                      const std::vector<std::string>& requestHeaders,
                                      bool preflight);

}  // namespace sluice::gateway
