// `sluice`: the single binary.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Sluice: the AWS serverless data-lake pipeline platform, self-hosted."};
  app.require_subcommand(1);
  sluice::cli::Action run = sluice::cli::addRunCommand(app);
  sluice::cli::Action validate = sluice::cli::addValidateCommand(app);
  sluice::cli::Action jsonata = sluice::cli::addJsonataCommand(app);
  sluice::cli::Action server = sluice::cli::addServerCommand(app);
  sluice::cli::Action deploy = sluice::cli::addDeployCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("run")) return run();
    if (app.got_subcommand("validate")) return validate();
    if (app.got_subcommand("jsonata")) return jsonata();
    if (app.got_subcommand("server")) return server();
    if (app.got_subcommand("deploy")) return deploy();
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error: " << e.what() << "\n";
    return 70;
  }
  return 2;
}
