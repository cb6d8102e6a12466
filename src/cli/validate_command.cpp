// `sluice validate DEFINITION`: ValidateStateMachineDefinition's answer.
#include <iostream>

#include "asl/compile.hpp"
#include "cli/commands.hpp"
#include "core/json.hpp"

namespace sluice::cli {

namespace {
struct ValidateArgs {
  std::string definition;
  std::string type = "STANDARD";
};
}  // namespace

Action addValidateCommand(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand("validate", "Check a state machine definition (JSON or YAML)");
  cmd->add_option("definition", args->definition, "Definition file")->required();
  cmd->add_option("--type", args->type, "STANDARD or EXPRESS")
      ->check(CLI::IsMember({"STANDARD", "EXPRESS"}));
  return [args]() -> int {
    std::string text, error;
    if (!readFile(args->definition, text, error)) {
      std::cerr << "sluice validate: " << error << "\n";
      return 2;
    }
    asl::CompileOptions options;
    options.express = args->type == "EXPRESS";
    auto compiled = asl::compileDefinition(text, options);
    std::cout << toPrettyJsonText(asl::validationResponse(compiled)) << "\n";
    return compiled.machine ? 0 : 1;
  };
}

}  // namespace sluice::cli
