#include "services/builtin.hpp"

#include "services/s3/s3_service.hpp"
#include "services/s3/s3_store.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {{"s3", s3::S3Store::migrations()}};
}

std::unique_ptr<BuiltinServices> registerBuiltinServices(OperationRegistry& registry,
                                                         const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock);
  s->states->registerOperations(registry);
  s->s3 = std::make_unique<s3::S3Service>(env);
  s->s3->registerOperations(registry);
  return s;
}

}  // namespace sluice::services
