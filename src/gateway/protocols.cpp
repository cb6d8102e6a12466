#include "gateway/protocols.hpp"

#include "gateway/protocol_json.hpp"
#include "gateway/protocol_query.hpp"
#include "gateway/protocol_rest_json.hpp"
#include "gateway/protocol_rest_xml.hpp"

namespace sluice::gateway {

std::vector<std::unique_ptr<Protocol>> builtinProtocols(const services::OperationRegistry& registry,
                                                        const Clock& clock,
                                                        const CredentialStore& credentials) {
  std::vector<std::unique_ptr<Protocol>> all;
  all.push_back(std::make_unique<JsonProtocol>(registry));
  all.push_back(std::make_unique<QueryProtocol>(registry));
  all.push_back(std::make_unique<RestJsonProtocol>(registry));
  all.push_back(std::make_unique<RestXmlProtocol>(registry, clock, credentials));
  return all;
}

}  // namespace sluice::gateway
