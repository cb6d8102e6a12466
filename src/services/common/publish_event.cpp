#include "services/common/publish_event.hpp"

namespace sluice::services {

void publishEvent(const OperationRegistry& registry, const Scope& scope, const std::string& source,
                  const std::string& detailType, const JsonObject& detail, JsonArray resources) {
  if (!registry.has("events", "PutEvents")) return;
  CallContext ctx;
  ctx.scope = scope;
  JsonObject entry{{"Source", source},
                   {"DetailType", detailType},
                   {"Detail", toJsonText(detail)},
                   {"Resources", std::move(resources)}};
  registry.call("events", "PutEvents", JsonObject{{"Entries", JsonArray{std::move(entry)}}}, ctx,
                [](Result<Json>) {});
}

}  // namespace sluice::services
