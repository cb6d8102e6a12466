#include "services/lambda/registry_functions.hpp"

#include <atomic>

#include "core/encoding.hpp"

namespace sluice::services::lambda {

namespace {

class Cancellable final : public engine::RunningTask {
 public:
  void cancel() override { cancelled->store(true); }
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

std::string member(const JsonObject& o, std::string_view name) {
  const Json* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

class RegistryFunctions final : public engine::FunctionInvoker {
 public:
  explicit RegistryFunctions(const OperationRegistry& registry) : registry_(registry) {}

  std::unique_ptr<engine::RunningTask> invoke(const std::string& function, std::string payload,
                                              const Scope& scope, engine::EventLoop& loop,
                                              engine::FunctionDone done) override {
    auto task = std::make_unique<Cancellable>();
    CallContext ctx;
    ctx.scope = scope;
    JsonObject in{{"FunctionName", function}, {"Payload", std::move(payload)}, {"LogType", "Tail"}};
    // The function runs outside the loop: it must neither return for lack of
    // work nor move a virtual clock past it meanwhile.
    loop.beginExternal();
    registry_.call(
        "lambda", "Invoke", Json(std::move(in)), ctx,
        [&loop, done = std::move(done), cancelled = task->cancelled](Result<Json> r) mutable {
          // Invoke answers on a sandbox's thread; the engine wants its loop.
          struct External {
            engine::EventLoop& loop;
            ~External() { loop.endExternal(); }
          } external{loop};
          loop.post([done = std::move(done), cancelled, r = std::move(r)] {
            if (cancelled->load()) return;
            if (!r) return done(r.error());
            const JsonObject& o = r->as_object();
            engine::FunctionResponse response;
            response.payload = member(o, "Payload");
            response.functionError = !member(o, "FunctionError").empty();
            response.executedVersion = member(o, "ExecutedVersion");
            response.logs = base64Decode(member(o, "LogResult")).value_or("");
            done(std::move(response));
          });
        });
    return task;
  }

 private:
  const OperationRegistry& registry_;
};

}  // namespace

std::shared_ptr<engine::FunctionInvoker> registryFunctions(const OperationRegistry& registry) {
  return std::make_shared<RegistryFunctions>(registry);
}

}  // namespace sluice::services::lambda
