// The wire protocols the gateway speaks, in the order they are asked to
// claim a request. A new protocol is one file pair and one line here.
#pragma once

#include <memory>
#include <vector>

#include "core/clock.hpp"
#include "gateway/protocol.hpp"

namespace sluice::gateway {

std::vector<std::unique_ptr<Protocol>> builtinProtocols(const services::OperationRegistry& registry,
                                                        const Clock& clock);

}  // namespace sluice::gateway
