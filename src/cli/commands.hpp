// The `sluice` subcommands. Each registers its options on the app and
// returns the action to run when it was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace sluice::cli {

using Action = std::function<int()>;

Action addRunCommand(CLI::App& app);
Action addValidateCommand(CLI::App& app);
Action addJsonataCommand(CLI::App& app);
Action addServerCommand(CLI::App& app);
Action addDeployCommand(CLI::App& app);

// Reads a whole file; returns false with a message on failure.
bool readFile(const std::string& path, std::string& out, std::string& error);
// `--input` values: inline JSON text, or `@path` for a file's contents.
bool readInputArgument(const std::string& arg, std::string& text, std::string& error);

}  // namespace sluice::cli
