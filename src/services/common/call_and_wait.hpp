// A registry call that blocks until the reply: for work running on a worker
// thread (a crawl, a query) that needs another service's operation, through
// the same door as every other caller. Never call it on the event loop or an
// I/O thread: the reply may need them.
#pragma once

#include <future>

#include "services/operation.hpp"

namespace sluice::services {

inline Result<Json> callAndWait(const OperationRegistry& registry, const Scope& scope,
                                std::string_view service, std::string_view operation,
                                const Json& input) {
  std::promise<Result<Json>> done;
  CallContext ctx;
  ctx.scope = scope;
  registry.call(service, operation, input, ctx,
                [&done](Result<Json> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

}  // namespace sluice::services
