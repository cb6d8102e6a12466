// The one explicit list of services Sluice serves. Each service registers
// its operations with the registry, its task integrations with the engine,
// and its tables (a store component with its migrations).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "engine/execution.hpp"
#include "services/operation.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services {

namespace states {
class StatesService;
}
namespace ssm {
class SsmService;
}
namespace logs {
class LogsService;
}
namespace events {
class EventsService;
}
namespace s3 {
class S3Service;
}
namespace sqs {
class SqsService;
}
namespace sns {
class SnsService;
}
namespace scheduler {
class SchedulerService;
}
namespace lambda {
class LambdaService;
}
namespace glue {
class GlueService;
}
namespace athena {
class AthenaService;
}
namespace cloudformation {
class CloudFormationService;
}
}  // namespace sluice::services
namespace sluice::lake {
class LakeEngine;
class ObjectSource;
}  // namespace sluice::lake
namespace sluice::services {

// How services reach the world outside Sluice.
struct OutboundOptions {
  // "host:port" of an SMTP relay for SNS email subscriptions; empty: the mail
  // is written to <data-dir>/outbox/.
  std::string smtpServer;
  // A PEM file of CA certificates trusted, besides the system's, when
  // verifying https endpoints and SMTP STARTTLS servers (self-signed test
  // certificates, a private CA).
  std::string caFile;
};

// What every service is built from.
struct ServiceEnvironment {
  engine::EngineContext engine;
  const Clock& clock;
  // The metadata store; null when running without a data directory (tests
  // and `sluice run`): services then keep their state in memory only.
  store::sqlite::SqliteStore* store = nullptr;
  // The data directory's root (objects live under dataDir/objects); empty
  // without a data directory.
  std::filesystem::path dataDir;
  // S3 restore delays overriding AWS's upper bounds, as the server's
  // --s3-restore-delays gives them ("GLACIER.Expedited=60,..."); empty: defaults.
  std::string s3RestoreDelays;
  OutboundOptions outbound;
  // How long closed Step Functions executions are kept (--execution-retention-days).
  Duration executionRetention = std::chrono::hours(24 * 90);
};

struct BuiltinServices {
  std::unique_ptr<states::StatesService> states;
  std::unique_ptr<ssm::SsmService> ssm;
  std::unique_ptr<logs::LogsService> logs;
  std::unique_ptr<events::EventsService> events;
  std::unique_ptr<s3::S3Service> s3;
  std::unique_ptr<sqs::SqsService> sqs;
  std::unique_ptr<sns::SnsService> sns;
  std::unique_ptr<scheduler::SchedulerService> scheduler;
  std::unique_ptr<lambda::LambdaService> lambda;
  // The lake over S3's objects: crawlers now, Athena and jobs next.
  std::unique_ptr<lake::ObjectSource> lakeObjects;
  std::unique_ptr<lake::LakeEngine> lake;
  std::unique_ptr<glue::GlueService> glue;
  std::unique_ptr<athena::AthenaService> athena;
  // Deploys through every service above, so it goes first at shutdown.
  std::unique_ptr<cloudformation::CloudFormationService> cloudformation;
  ~BuiltinServices();
};

// Every service's store component (its migrations), for SqliteStore::open.
std::vector<store::sqlite::Component> builtinStoreComponents();

// Registers every service and loads what the store holds (running
// executions resume). Call before the engine loop runs.
Result<std::unique_ptr<BuiltinServices>> registerBuiltinServices(OperationRegistry& registry,
                                                                 const ServiceEnvironment& env);

}  // namespace sluice::services
