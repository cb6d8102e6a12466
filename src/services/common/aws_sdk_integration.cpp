#include "services/common/aws_sdk_integration.hpp"

#include <atomic>
#include <cctype>

#include "services/model/service_model.hpp"

namespace sluice::services {

namespace {

using model::Shape;
using model::ShapeType;

// The service names of aws-sdk resources that differ from the signing name,
// and the PascalCase client names AWS puts in front of error names.
struct SdkService {
  std::string_view resourceName;  // in the ARN: "sfn"
  std::string_view signingName;   // Sluice's service: "states"
  std::string_view errorPrefix;   // "Sfn"
};
constexpr SdkService kServices[] = {
    {"sfn", "states", "Sfn"},
    {"s3", "s3", "S3"},
    {"sqs", "sqs", "Sqs"},
    {"sns", "sns", "Sns"},
    {"ssm", "ssm", "Ssm"},
    {"eventbridge", "events", "EventBridge"},
    {"cloudwatchlogs", "logs", "CloudWatchLogs"},
    {"scheduler", "scheduler", "Scheduler"},
    {"lambda", "lambda", "Lambda"},
    {"glue", "glue", "Glue"},
    {"athena", "athena", "Athena"},
};

const SdkService* findService(std::string_view resourceName) {
  for (const auto& s : kServices) {
    if (s.resourceName == resourceName) return &s;
  }
  return nullptr;
}

std::string upperFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

bool sameIgnoringFirstCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() &&
         std::tolower(static_cast<unsigned char>(a[0])) ==
             std::tolower(static_cast<unsigned char>(b[0])) &&
         a.substr(1) == b.substr(1);
}

// Renames structure members along the shapes: parameters (PascalCase) to the
// model's member names, or results to PascalCase. Map keys are data: kept.
enum class Naming { ToModel, ToSdk };

const model::Member* memberFor(const Shape& shape, std::string_view key, Naming naming) {
  if (naming == Naming::ToSdk) return shape.findMember(key);
  for (const auto& m : shape.members) {
    if (sameIgnoringFirstCase(m.name, key)) return &m;
  }
  return nullptr;
}

Json rename(const Json& value, const Shape* shape, Naming naming) {
  if (!shape) return value;
  switch (shape->type) {
    case ShapeType::Structure: {
      if (!value.is_object()) return value;
      JsonObject out;
      for (const auto& kv : value.as_object()) {
        const model::Member* member = memberFor(*shape, kv.key(), naming);
        // An unknown parameter keeps its name: validation reports it.
        std::string name = naming == Naming::ToSdk ? upperFirst(kv.key())
                           : member                ? member->name
                                                   : std::string(kv.key());
        out[name] = rename(kv.value(), member ? member->shape : nullptr, naming);
      }
      return out;
    }
    case ShapeType::List: {
      if (!value.is_array()) return value;
      JsonArray out;
      for (const auto& v : value.as_array()) out.push_back(rename(v, shape->member.shape, naming));
      return out;
    }
    case ShapeType::Map: {
      if (!value.is_object()) return value;
      JsonObject out;
      for (const auto& kv : value.as_object()) {
        out[kv.key()] = rename(kv.value(), shape->value.shape, naming);
      }
      return out;
    }
    default:
      return value;
  }
}

class Cancellable final : public engine::RunningTask {
 public:
  void cancel() override { cancelled->store(true); }
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

class AwsSdkIntegration final : public engine::Integration {
 public:
  AwsSdkIntegration(const OperationRegistry& registry, IdGenerator& ids)
      : registry_(registry), ids_(ids) {}

  std::unique_ptr<engine::RunningTask> start(const engine::TaskRequest& request,
                                             engine::EventLoop& loop,
                                             engine::TaskDone done) override {
    std::string_view type = request.resource->resourceType;  // "aws-sdk:<service>"
    std::string_view resourceName = type.substr(type.find(':') + 1);
    std::string action = request.resource->resource;
    if (auto dot = action.find('.'); dot != std::string::npos) action.resize(dot);
    const SdkService* service = findService(resourceName);
    std::string operation = upperFirst(action);
    if (!service || !registry_.has(service->signingName, operation)) {
      done(asl::StatesError{asl::errors::kRuntime,
                            "The resource 'arn:aws:states:::aws-sdk:" + std::string(resourceName) +
                                ":" + action + "' is not served by Sluice."});
      return nullptr;
    }
    const model::ServiceModel* m = model::ServiceModel::get(service->signingName);
    const model::Operation* op = m ? m->operation(operation) : nullptr;
    Json input = rename(request.parameters.is_object() ? request.parameters : Json(JsonObject{}),
                        op ? op->input : nullptr, Naming::ToModel);
    const Shape* outputShape = op ? op->output : nullptr;

    auto task = std::make_unique<Cancellable>();
    CallContext ctx;
    ctx.scope = request.scope;
    ctx.requestId = ids_.uuid();
    registry_.call(service->signingName, operation, input, ctx,
                   [&loop, done = std::move(done), cancelled = task->cancelled, service,
                    outputShape, requestId = ctx.requestId](Result<Json> r) mutable {
                     // Operations may answer on another thread (after a store commit).
                     loop.post([done = std::move(done), cancelled, service, outputShape, requestId,
                                r = std::move(r)] {
                       if (cancelled->load()) return;
                       if (!r) {
                         const AwsError& e = r.error();
                         std::string code =
                             e.code.ends_with("Exception") ? e.code : e.code + "Exception";
                         return done(asl::StatesError{
                             std::string(service->errorPrefix) + "." + code,
                             e.message + " (Service: " + std::string(service->errorPrefix) +
                                 ", Status Code: " + std::to_string(e.httpStatus) +
                                 ", Request ID: " + requestId + ")"});
                       }
                       done(rename(*r, outputShape, Naming::ToSdk));
                     });
                   });
    return task;
  }

 private:
  const OperationRegistry& registry_;
  IdGenerator& ids_;
};

}  // namespace

const model::Operation* integrationOperation(std::string_view resourceType,
                                             std::string_view action) {
  if (resourceType.starts_with("aws-sdk:")) resourceType.remove_prefix(8);
  const SdkService* service = findService(resourceType);
  const model::ServiceModel* m = service ? model::ServiceModel::get(service->signingName) : nullptr;
  return m ? m->operation(upperFirst(action)) : nullptr;
}

void registerAwsSdkIntegration(engine::IntegrationRegistry& integrations,
                               const OperationRegistry& registry, IdGenerator& ids) {
  integrations.add("aws-sdk:*", std::make_shared<AwsSdkIntegration>(registry, ids));
}

}  // namespace sluice::services
