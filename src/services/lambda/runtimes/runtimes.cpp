#include "services/lambda/runtimes/runtimes.hpp"

#include <fstream>
#include <iterator>

#include "store/data_dir.hpp"

namespace sluice::services::lambda {

Result<void> installRuntimes(const std::filesystem::path& dir) {
  std::error_code ec;
  for (auto [sub, file, text] : {std::tuple{"python", "bootstrap.py", pythonBootstrap()},
                                 std::tuple{"node", "bootstrap.mjs", nodeBootstrap()}}) {
    std::filesystem::create_directories(dir / sub, ec);
    if (ec) return store::ioError("mkdir", dir / sub, ec.value());
    // Rewritten only when this binary's bootstrap differs from what is there:
    // a restart does no durable write for it.
    std::ifstream existing(dir / sub / file, std::ios::binary);
    std::string current((std::istreambuf_iterator<char>(existing)), {});
    if (existing && current == text) continue;
    if (auto w = store::writeFileDurably(dir / sub / file, text); !w) return w;
  }
  return {};
}

std::string runtimeFamily(std::string_view runtime) {
  static constexpr std::string_view kPython[] = {"python3.9",  "python3.10", "python3.11",
                                                 "python3.12", "python3.13", "python3.14"};
  static constexpr std::string_view kNode[] = {"nodejs18.x", "nodejs20.x", "nodejs22.x",
                                               "nodejs24.x"};
  static constexpr std::string_view kProvided[] = {"provided", "provided.al2", "provided.al2023"};
  for (auto r : kPython) {
    if (r == runtime) return "python";
  }
  for (auto r : kNode) {
    if (r == runtime) return "node";
  }
  for (auto r : kProvided) {
    if (r == runtime) return "provided";
  }
  return "";
}

}  // namespace sluice::services::lambda
