#include "services/common/operation_integration.hpp"

#include <atomic>

namespace sluice::services {

namespace {

// Sends the JSON-valued members at `path` as their JSON text. The path names
// members separated by '.', a "[]" suffix stepping into every array element:
// "Message", "Entries[].Detail".
void stringifyMembers(Json& value, std::string_view path) {
  if (path.empty() || !value.is_object()) return;
  auto dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  std::string_view rest = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  bool each = head.ends_with("[]");
  if (each) head.remove_suffix(2);
  Json* v = value.as_object().if_contains(head);
  if (!v) return;
  if (each) {
    if (!v->is_array()) return;
    for (auto& element : v->as_array()) stringifyMembers(element, rest);
  } else if (!rest.empty()) {
    stringifyMembers(*v, rest);
  } else if (!v->is_string()) {
    *v = toJsonText(*v);
  }
}

class Cancellable final : public engine::RunningTask {
 public:
  void cancel() override { cancelled->store(true); }
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

class OperationIntegration final : public engine::Integration {
 public:
  OperationIntegration(const OperationRegistry& registry, IdGenerator& ids, std::string service,
                       std::string operation, std::string errorPrefix, std::string textMember)
      : registry_(registry),
        ids_(ids),
        service_(std::move(service)),
        operation_(std::move(operation)),
        errorPrefix_(std::move(errorPrefix)),
        textMember_(std::move(textMember)) {}

  std::unique_ptr<engine::RunningTask> start(const engine::TaskRequest& request,
                                             engine::EventLoop& loop,
                                             engine::TaskDone done) override {
    auto task = std::make_unique<Cancellable>();
    CallContext ctx;
    ctx.scope = request.scope;
    ctx.requestId = ids_.uuid();
    Json input = request.parameters.is_object() ? request.parameters : Json(JsonObject{});
    stringifyMembers(input, textMember_);
    registry_.call(
        service_, operation_, input, ctx,
        [&loop, done = std::move(done), cancelled = task->cancelled, prefix = errorPrefix_,
         requestId = ctx.requestId](Result<Json> r) mutable {
          // Operations may answer on another thread (after a store commit).
          loop.post([done = std::move(done), cancelled, prefix, requestId, r = std::move(r)] {
            if (cancelled->load()) return;
            if (!r) return done(asl::StatesError{prefix + "." + r.error().code, r.error().message});
            Json out = r->is_object() ? *r : Json(JsonObject{});
            JsonObject headers;
            headers["Content-Type"] = "text/xml";
            headers["x-amzn-RequestId"] = requestId;
            JsonObject http;
            http["HttpHeaders"] = std::move(headers);
            http["HttpStatusCode"] = 200;
            out.as_object()["SdkHttpMetadata"] = std::move(http);
            out.as_object()["SdkResponseMetadata"] = JsonObject{{"RequestId", requestId}};
            done(std::move(out));
          });
        });
    return task;
  }

 private:
  const OperationRegistry& registry_;
  IdGenerator& ids_;
  std::string service_, operation_, errorPrefix_, textMember_;
};

}  // namespace

void registerOperationIntegration(engine::IntegrationRegistry& integrations,
                                  const OperationRegistry& registry, IdGenerator& ids,
                                  std::string key, std::string service, std::string operation,
                                  std::string errorPrefix, std::string textMember) {
  integrations.add(std::move(key), std::make_shared<OperationIntegration>(
                                       registry, ids, std::move(service), std::move(operation),
                                       std::move(errorPrefix), std::move(textMember)));
}

}  // namespace sluice::services
