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
    JsonArray diags;
    for (const auto& d : compiled.diagnostics) {
      JsonObject o;
      o["severity"] = d.severity;
      o["code"] = d.code;
      o["message"] = d.message;
      if (!d.location.empty()) o["location"] = d.location;
      diags.push_back(std::move(o));
    }
    JsonObject out;
    out["result"] = compiled.machine ? "OK" : "FAIL";
    out["diagnostics"] = std::move(diags);
    out["truncated"] = false;
    std::cout << toPrettyJsonText(out) << "\n";
    return compiled.machine ? 0 : 1;
  };
}

}  // namespace sluice::cli
