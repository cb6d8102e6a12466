#include "gateway/protocols.hpp"

#include "gateway/protocol_json.hpp"
#include "gateway/protocol_rest_json.hpp"

namespace sluice::gateway {

std::vector<std::unique_ptr<Protocol>> builtinProtocols(
    const services::OperationRegistry& registry) {
  std::vector<std::unique_ptr<Protocol>> all;
  all.push_back(std::make_unique<JsonProtocol>(registry));
  all.push_back(std::make_unique<RestJsonProtocol>(registry));
  return all;
}

}  // namespace sluice::gateway
