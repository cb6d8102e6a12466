// `sluice run DEFINITION`: one execution, in-process, printed as JSON.
#include <filesystem>
#include <iostream>

#include "asl/compile.hpp"
#include "cli/commands.hpp"
#include "cli/run_lambdas.hpp"
#include "core/json.hpp"
#include "engine/functions.hpp"
#include "engine/history.hpp"
#include "engine/input_limit.hpp"
#include "engine/local_engine.hpp"
#include "engine/local_functions.hpp"

namespace sluice::cli {

namespace {

// Prints `{"events": [` and then each history event, pretty and indented as
// a member of the run's result, as the execution makes it; buffered.
class EventPrinter {
 public:
  void add(const engine::HistoryEvent& e) {
    buffer_ += count_++ == 0 ? "{\n  \"events\": [\n    " : ",\n    ";
    std::string text = toPrettyJsonText(engine::historyEventToJson(e));
    for (char c : text) {
      buffer_ += c;
      if (c == '\n') buffer_ += "    ";
    }
    if (buffer_.size() > (1 << 20)) flush();
  }
  void close() {
    buffer_ += count_ == 0 ? "{\n  \"events\": [\n  ]" : "\n  ]";
    flush();
  }

 private:
  void flush() {
    std::cout << buffer_;
    buffer_.clear();
  }
  std::string buffer_;
  size_t count_ = 0;
};

struct RunArgs {
  std::string definition;
  std::string input = "{}";
  bool history = false;
  std::vector<std::string> functions;
  std::vector<std::string> lambdas;  // name=...,code=...,runtime=...,handler=...
  std::string name;
  std::string account = "000000000000";
  std::string region = "us-east-1";
  std::string type = "STANDARD";
  std::string clock = "real";
  std::string stateMachineName;  // default: the definition file's name
};

int runExecution(const RunArgs& args) {
  std::string text, error;
  if (!readFile(args.definition, text, error)) {
    std::cerr << "sluice run: " << error << "\n";
    return 2;
  }
  asl::CompileOptions options;
  options.express = args.type == "EXPRESS";
  auto machine = asl::compileOrError(text, options);
  if (!machine) {
    std::cerr << "sluice run: " << machine.error().code << ": " << machine.error().message << "\n";
    return 1;
  }
  std::string inputText;
  if (!readInputArgument(args.input, inputText, error)) {
    std::cerr << "sluice run: " << error << "\n";
    return 2;
  }
  // StartExecution's limit, for Standard and Express alike.
  if (auto tooLarge = engine::executionInputTooLarge(inputText)) {
    std::cerr << "sluice run: " << tooLarge->code << ": " << tooLarge->message << " (the input is "
              << inputText.size() << " bytes)\n";
    return 1;
  }
  std::string parseError;
  auto input = parseJson(inputText, &parseError);
  if (!input) {
    std::cerr << "sluice run: InvalidExecutionInput: Invalid execution input: " << parseError
              << "\n";
    return 1;
  }

  engine::LocalEngine eng({.virtualClock = args.clock == "virtual", .seed = std::nullopt});
  auto functions = std::make_shared<engine::LocalFunctions>();
  for (const auto& binding : args.functions) {
    auto eq = binding.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == binding.size()) {
      std::cerr << "sluice run: --function expects NAME_OR_ARN=EXECUTABLE, got '" << binding
                << "'\n";
      return 2;
    }
    functions->bind(binding.substr(0, eq), binding.substr(eq + 1));
  }
  // Function logs go to our stderr, like a local Lambda runtime's console.
  functions->onLog([](const std::string& name, const std::string& log) {
    std::cerr << "[" << name << "] " << log << (log.ends_with('\n') ? "" : "\n");
  });
  engine::ExecutionConfig config;
  config.scope.account = args.account;
  config.scope.region = args.region;
  std::unique_ptr<RunLambdas> lambdas;
  std::shared_ptr<engine::FunctionInvoker> invoker = functions;
  if (!args.lambdas.empty()) {
    auto started = RunLambdas::start(eng, args.lambdas, config.scope);
    if (!started) {
      std::cerr << "sluice run: " << started.error().message << "\n";
      return 2;
    }
    lambdas = std::move(*started);
    invoker = lambdas->invoker(functions);
  }
  engine::registerLambdaIntegrations(eng.integrations(), invoker, eng.ids());

  config.executionName = args.name;
  config.stateMachineName = args.stateMachineName.empty()
                                ? std::filesystem::path(args.definition).stem().string()
                                : args.stateMachineName;
  config.express = args.type == "EXPRESS";
  // Nothing is kept per event: with --history each one is printed as it
  // happens (the "events" member first, the status after it).
  config.keepHistory = false;
  EventPrinter printer;
  if (args.history) {
    config.onEvent = [&printer](const engine::HistoryEvent& e) { printer.add(e); };
  }
  auto exec = eng.run(*machine, std::move(*input), config);

  JsonObject out;
  out["executionArn"] = exec->arn();
  out["status"] = statusName(exec->status());
  if (exec->status() == engine::ExecutionStatus::Succeeded) out["output"] = exec->output();
  if (exec->status() != engine::ExecutionStatus::Succeeded) {
    if (!exec->error().empty()) out["error"] = exec->error();
    if (!exec->cause().empty()) out["cause"] = exec->cause();
  }
  std::string shown = toPrettyJsonText(out);
  if (args.history) {
    // `{` then the events, then the other members (the text after `{\n`).
    printer.close();
    std::cout << ",\n" << shown.substr(shown.find('\n') + 1) << "\n";
  } else {
    std::cout << shown << "\n";
  }
  return 0;
}

}  // namespace

Action addRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run one execution of a state machine in-process");
  cmd->add_option("definition", args->definition, "Definition file (JSON or YAML)")->required();
  cmd->add_option("--input", args->input, "Execution input: JSON text or @file");
  cmd->add_flag("--history", args->history, "Print the execution history events");
  cmd->add_option("--function", args->functions,
                  "Bind a Lambda function to a local executable: NAME_OR_ARN=EXECUTABLE");
  cmd->add_option("--lambda", args->lambdas,
                  "A real Lambda function from a folder or .zip: "
                  "name=NAME,code=PATH,runtime=RUNTIME,handler=HANDLER[,timeout=S][,memory=MB]");
  cmd->add_option("--name", args->name, "Execution name");
  cmd->add_option("--state-machine-name", args->stateMachineName,
                  "State machine name used in ARNs (default: the definition file's name)");
  cmd->add_option("--account", args->account, "Account id");
  cmd->add_option("--region", args->region, "Region");
  cmd->add_option("--type", args->type, "STANDARD or EXPRESS")
      ->check(CLI::IsMember({"STANDARD", "EXPRESS"}));
  cmd->add_option("--clock", args->clock, "real, or virtual: waits and timeouts complete instantly")
      ->check(CLI::IsMember({"real", "virtual"}));
  return [args] { return runExecution(*args); };
}

}  // namespace sluice::cli
