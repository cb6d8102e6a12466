#include "services/states/arns.hpp"

#include <vector>

namespace sluice::services::states {

namespace {

std::string_view kindName(ResourceKind k) {
  switch (k) {
    case ResourceKind::StateMachine:
      return "stateMachine";
    case ResourceKind::Execution:
      return "execution";
    case ResourceKind::ExpressExecution:
      return "express";
    case ResourceKind::Activity:
      return "activity";
    case ResourceKind::MapRun:
      return "mapRun";
  }
  return "";
}

AwsError invalidArn(std::string_view detail) {
  return {"InvalidArn", "Invalid Arn: '" + std::string(detail) + "'", 400};
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

}  // namespace

Result<ParsedArn> parseArn(std::string_view arn, std::initializer_list<ResourceKind> allowed) {
  auto parts = split(arn, ':');
  if (parts.size() < 7 || parts[0] != "arn" || parts[2] != "states") {
    return invalidArn("Invalid ARN prefix: " + std::string(arn));
  }
  ParsedArn p;
  p.scope.partition = std::string(parts[1]);
  p.scope.region = std::string(parts[3]);
  p.scope.account = std::string(parts[4]);
  std::string_view type = parts[5];
  bool known = true;
  if (type == "stateMachine" && (parts.size() == 7 || parts.size() == 8)) {
    p.kind = ResourceKind::StateMachine;
    p.machineName = std::string(parts[6]);
    if (parts.size() == 8) p.qualifier = std::string(parts[7]);
  } else if (type == "execution" && parts.size() == 8) {
    p.kind = ResourceKind::Execution;
    p.machineName = std::string(parts[6]);
    p.name = std::string(parts[7]);
  } else if (type == "express" && parts.size() == 9) {
    p.kind = ResourceKind::ExpressExecution;
    p.machineName = std::string(parts[6]);
    p.name = std::string(parts[7]);
  } else if (type == "activity" && parts.size() == 7) {
    p.kind = ResourceKind::Activity;
    p.name = std::string(parts[6]);
  } else if (type == "mapRun" && parts.size() >= 7) {
    p.kind = ResourceKind::MapRun;
    p.machineName = std::string(parts[6]);
  } else {
    known = false;
  }
  if (!known || p.scope.account.empty() || p.scope.region.empty()) {
    return invalidArn("Invalid ARN prefix: " + std::string(arn));
  }
  for (ResourceKind k : allowed) {
    if (k == p.kind) return p;
  }
  return invalidArn("Resource type not valid in this context: " + std::string(kindName(p.kind)));
}

Result<void> checkName(std::string_view name) {
  auto invalid = [&] {
    return AwsError{"InvalidName", "Invalid Name: '" + std::string(name) + "'", 400};
  };
  if (name.empty() || name.size() > 80) return invalid();
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7f) return invalid();  // whitespace and control characters
    if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) !=
        std::string_view::npos) {
      return invalid();
    }
  }
  return {};
}

}  // namespace sluice::services::states
