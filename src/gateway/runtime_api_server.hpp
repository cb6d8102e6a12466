// The HTTP side of the Lambda Runtime API: one loopback listener per
// sandbox (AWS_LAMBDA_RUNTIME_API), decoding /2018-06-01/runtime/... into
// calls on the sandbox's RuntimeApiHandler.
#pragma once

#include <boost/asio/io_context.hpp>

#include "services/lambda/runtime_api.hpp"

namespace sluice::gateway {

// Endpoints on 127.0.0.1, served by `io`'s threads.
services::lambda::RuntimeEndpointFactory runtimeEndpointFactory(boost::asio::io_context& io);

}  // namespace sluice::gateway
