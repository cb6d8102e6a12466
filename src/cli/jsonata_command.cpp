// `sluice jsonata EXPRESSION [--input JSON|@file] [--bindings JSON|@file]`:
// evaluates one JSONata expression and prints the result as compact JSON
// (nothing when undefined), or the error object with exit status 1.
#include <iostream>

#include "asl/jsonata/jsonata.hpp"
#include "cli/commands.hpp"
#include "core/json.hpp"

namespace sluice::cli {

namespace {

struct JsonataArgs {
  std::string expression;
  std::string input;
  std::string bindings;
  int depth = 0;
  int timeLimitMs = 0;
};

int runJsonata(const JsonataArgs& args) {
  namespace jsonata = asl::jsonata;
  std::string error;
  std::optional<Json> input;
  if (!args.input.empty()) {
    std::string text;
    if (!readInputArgument(args.input, text, error)) {
      std::cerr << "sluice jsonata: " << error << "\n";
      return 2;
    }
    std::string parseError;
    input = parseJson(text, &parseError);
    if (!input) {
      std::cerr << "sluice jsonata: --input is not JSON: " << parseError << "\n";
      return 2;
    }
  }
  jsonata::Bindings bindings;
  if (!args.bindings.empty()) {
    std::string text;
    if (!readInputArgument(args.bindings, text, error)) {
      std::cerr << "sluice jsonata: " << error << "\n";
      return 2;
    }
    auto parsed = parseJson(text);
    if (!parsed || !parsed->is_object()) {
      std::cerr << "sluice jsonata: --bindings must be a JSON object\n";
      return 2;
    }
    for (const auto& kv : parsed->get_object()) {
      std::string name(kv.key());
      if (!name.empty() && name[0] == '$') name.erase(0, 1);
      bindings.set(std::move(name), kv.value());
    }
  }
  auto compiled = jsonata::Expression::compile(args.expression);
  if (auto* err = std::get_if<jsonata::Error>(&compiled)) {
    std::cout << toJsonText(jsonata::errorToJson(*err)) << "\n";
    return 1;
  }
  jsonata::Limits limits;
  limits.maxDepth = args.depth;
  limits.timeLimit = std::chrono::milliseconds(args.timeLimitMs);
  auto result =
      std::get<jsonata::Expression>(compiled).evaluate(input ? &*input : nullptr, bindings, limits);
  if (auto* err = std::get_if<jsonata::Error>(&result)) {
    std::cout << toJsonText(jsonata::errorToJson(*err)) << "\n";
    return 1;
  }
  const auto& value = std::get<std::optional<Json>>(result);
  if (value) std::cout << jsonata::toJsText(*value) << "\n";
  return 0;
}

}  // namespace

Action addJsonataCommand(CLI::App& app) {
  auto args = std::make_shared<JsonataArgs>();
  auto* cmd = app.add_subcommand("jsonata", "Evaluate a JSONata expression (JSONata 2.0.6)");
  cmd->add_option("expression", args->expression, "The expression")->required();
  cmd->add_option("--input", args->input,
                  "Input document: JSON text or @file (default: undefined)");
  cmd->add_option("--bindings", args->bindings,
                  "Variable bindings: a JSON object (or @file) of name -> value");
  cmd->add_option("--depth", args->depth, "Maximum evaluation depth (0: unlimited)");
  cmd->add_option("--timeout-ms", args->timeLimitMs, "Time limit in milliseconds (0: none)");
  return [args] { return runJsonata(*args); };
}

}  // namespace sluice::cli
