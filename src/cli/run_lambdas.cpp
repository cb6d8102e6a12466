#include "cli/run_lambdas.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "core/encoding.hpp"
#include "gateway/runtime_api_server.hpp"
#include "services/builtin.hpp"
#include "services/lambda/lambda_service.hpp"
#include "services/lambda/registry_functions.hpp"
#include "services/lambda/zip_writer.hpp"

namespace sluice::cli {

namespace {

// "name=extract,code=./fn,runtime=python3.12,handler=app.handler" as the
// CreateFunction request it stands for.
Result<Json> createRequest(const std::string& spec) {
  JsonObject in{{"Role", "arn:aws:iam::000000000000:role/sluice-run"}};
  std::string code;
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(start, comma - start);
    auto eq = item.find('=');
    if (eq == std::string::npos) return AwsError::validation("'" + item + "' is not key=value");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "name") {
      in["FunctionName"] = value;
    } else if (key == "code") {
      code = value;
    } else if (key == "runtime") {
      in["Runtime"] = value;
    } else if (key == "handler") {
      in["Handler"] = value;
    } else if (key == "timeout" || key == "memory") {
      try {
        in[key == "timeout" ? "Timeout" : "MemorySize"] = std::stoll(value);
      } catch (const std::exception&) {
        return AwsError::validation(key + " must be a number");
      }
    } else {
      return AwsError::validation("unknown key '" + key +
                                  "' (name, code, runtime, handler, timeout, memory)");
    }
    start = comma + 1;
  }
  if (!in.contains("FunctionName") || code.empty()) {
    return AwsError::validation("name= and code= are required");
  }
  std::string zip;
  if (std::filesystem::is_directory(code)) {
    auto packed = services::lambda::zipDirectory(code);
    if (!packed) return packed.error();
    zip = std::move(*packed);
  } else {
    std::ifstream file(code, std::ios::binary);
    if (!file) return AwsError::validation("cannot read " + code);
    std::ostringstream bytes;
    bytes << file.rdbuf();
    zip = std::move(bytes).str();
  }
  in["Code"] = JsonObject{{"ZipFile", base64Encode(zip)}};
  return Json(std::move(in));
}

// Names bound here go to the Lambda service, the rest to the fallback.
class Routed final : public engine::FunctionInvoker {
 public:
  Routed(std::set<std::string> names, std::shared_ptr<engine::FunctionInvoker> lambdas,
         std::shared_ptr<engine::FunctionInvoker> fallback)
      : names_(std::move(names)), lambdas_(std::move(lambdas)), fallback_(std::move(fallback)) {}
  std::unique_ptr<engine::RunningTask> invoke(const std::string& function, std::string payload,
                                              const Scope& scope, engine::EventLoop& loop,
                                              engine::FunctionDone done) override {
    auto& target = names_.count(engine::functionNameOf(function)) ? lambdas_ : fallback_;
    return target->invoke(function, std::move(payload), scope, loop, std::move(done));
  }

 private:
  std::set<std::string> names_;
  std::shared_ptr<engine::FunctionInvoker> lambdas_, fallback_;
};

}  // namespace

struct RunLambdas::Impl {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread ioThread;
  services::OperationRegistry registry;
  std::unique_ptr<services::lambda::LambdaService> service;
  std::set<std::string> names;

  ~Impl() {
    if (service) service->stopRuntime();  // sandboxes go before their endpoints' I/O
    service.reset();
    work.reset();
    io.stop();
    if (ioThread.joinable()) ioThread.join();
  }
};

RunLambdas::RunLambdas(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunLambdas::~RunLambdas() = default;

Result<std::unique_ptr<RunLambdas>> RunLambdas::start(engine::LocalEngine& engine,
                                                      const std::vector<std::string>& specs,
                                                      const Scope& scope) {
  auto impl = std::make_unique<Impl>();
  impl->ioThread = std::thread([io = &impl->io] { io->run(); });
  services::ServiceEnvironment env{engine.context(), engine.clock(), nullptr, {}, "", {}};
  impl->service = std::make_unique<services::lambda::LambdaService>(env, impl->registry);
  impl->service->registerOperations(impl->registry);
  services::lambda::LambdaRuntimeOptions options;
  options.endpoints = gateway::runtimeEndpointFactory(impl->io);
  // Function logs go to our stderr, as --function's do.
  options.logPrinter = [](const std::string& group, const std::string& line) {
    std::cerr << "[" << group.substr(group.rfind('/') + 1) << "] " << line
              << (line.ends_with('\n') ? "" : "\n");
  };
  impl->service->startRuntime(std::move(options));
  for (const auto& spec : specs) {
    auto request = createRequest(spec);
    if (!request) {
      return AwsError::validation("--lambda '" + spec + "': " + request.error().message);
    }
    services::CallContext ctx;
    ctx.scope = scope;
    std::optional<Result<Json>> created;
    impl->registry.call("lambda", "CreateFunction", *request, ctx,
                        [&engine, &created](Result<Json> r) {
                          engine.loop().post([&created, r = std::move(r)] { created = r; });
                        });
    engine.loop().beginExternal();
    engine.loop().runUntil([&] { return created.has_value(); });
    engine.loop().endExternal();
    if (!created || !*created) {
      std::string why = created ? created->error().code + ": " + created->error().message
                                : std::string("no answer");
      return AwsError::validation("--lambda '" + spec + "': " + why);
    }
    impl->names.insert(std::string(request->at("FunctionName").as_string()));
  }
  return std::unique_ptr<RunLambdas>(new RunLambdas(std::move(impl)));
}

std::shared_ptr<engine::FunctionInvoker> RunLambdas::invoker(
    std::shared_ptr<engine::FunctionInvoker> fallback) const {
  return std::make_shared<Routed>(
      impl_->names, services::lambda::registryFunctions(impl_->registry), std::move(fallback));
}

}  // namespace sluice::cli
