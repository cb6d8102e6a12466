#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"

namespace sluice::cli {

bool readFile(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool readInputArgument(const std::string& arg, std::string& text, std::string& error) {
  if (!arg.empty() && arg[0] == '@') return readFile(arg.substr(1), text, error);
  text = arg;
  return true;
}

}  // namespace sluice::cli
