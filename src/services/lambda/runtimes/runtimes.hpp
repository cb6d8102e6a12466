// The in-tree Lambda runtimes: Runtime API clients for the Python and Node.js
// runtime names, compiled into the binary from runtimes/python/bootstrap.py
// and runtimes/node/bootstrap.mjs and written out where sandboxes start them
// (runtimes.cpp), so the single binary carries everything it runs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sluice::services::lambda {

std::string_view pythonBootstrap();
std::string_view nodeBootstrap();

// Writes the bootstraps under `dir` (python/bootstrap.py, node/bootstrap.mjs),
// replacing what an older binary wrote there.
Result<void> installRuntimes(const std::filesystem::path& dir);

// How Sluice runs a Runtime value: "python" (the machine's python3),
// "node" (the machine's node), "provided" (the package's bootstrap), or empty
// for a runtime it cannot run.
std::string runtimeFamily(std::string_view runtime);

}  // namespace sluice::services::lambda
