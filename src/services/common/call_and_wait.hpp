// A registry call that blocks until the reply: for work running on a worker
// thread (a crawl, a query) that needs another service's operation, through
// the same door as every other caller. Never call it on the event loop or an
// I/O thread: the reply may need them.
#pragma once

#include <future>

#include "services/operation.hpp"
#include "services/payload.hpp"

namespace sluice::services {

// `payload`: a streaming body beside the JSON, as the HTTP door passes one
// (an S3 object's bytes as a file to adopt instead of a string to copy).
inline Result<Json> callAndWait(const OperationRegistry& registry, const Scope& scope,
                                std::string_view service, std::string_view operation,
                                const Json& input, std::shared_ptr<Payload> payload = nullptr) {
  std::promise<Result<Json>> done;
  CallContext ctx;
  ctx.scope = scope;
  ctx.payload = std::move(payload);
  registry.call(service, operation, input, ctx,
                [&done](Result<Json> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

}  // namespace sluice::services
