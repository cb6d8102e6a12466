// The wire protocols the gateway speaks, in the order they are asked to
// claim a request. A new protocol is one file pair and one line here.
#pragma once

#include <memory>
#include <vector>

#include "core/clock.hpp"
#include "gateway/protocol.hpp"
#include "gateway/sigv4.hpp"

namespace sluice::gateway {

// `credentials` (owned by the caller, outliving the protocols) verify S3
// browser-upload policies.
std::vector<std::unique_ptr<Protocol>> builtinProtocols(const services::OperationRegistry& registry,
                                                        const Clock& clock,
                                                        const CredentialStore& credentials);

}  // namespace sluice::gateway
