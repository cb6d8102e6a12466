// Step Functions resource ARNs and names: parsing and the errors AWS gives
// for malformed ones.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/ids.hpp"

namespace sluice::services::states {

enum class ResourceKind { StateMachine, Execution, ExpressExecution, Activity, MapRun };

struct ParsedArn {
  ResourceKind kind;
  Scope scope;
  std::string machineName;  // state machine name (all kinds but Activity)
  std::string qualifier;    // StateMachine: version number or alias name
  std::string name;         // execution / activity name
};

// Parses a states ARN and checks it is one of `allowed` kinds; otherwise the
// InvalidArn error AWS returns ("Invalid Arn: '...'").
Result<ParsedArn> parseArn(std::string_view arn, std::initializer_list<ResourceKind> allowed);

// Names of state machines, executions, activities, aliases: 1-80 characters
// without whitespace, brackets, wildcards, control or special characters.
Result<void> checkName(std::string_view name);

}  // namespace sluice::services::states
