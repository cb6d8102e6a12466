// Definition text → validated, compiled Machine. Validation reports every
// problem with its location the way Step Functions does (InvalidDefinition
// messages and ValidateStateMachineDefinition diagnostics).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/machine.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::asl {

struct Diagnostic {
  std::string severity = "ERROR";  // ERROR | WARNING
  std::string code;                // SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...
  std::string message;
  std::string location;  // JSON pointer, e.g. /States/A/Next
};

struct CompileOptions {
  bool express = false;  // EXPRESS machines reject some features (.sync, .waitForTaskToken)
};

struct CompileResult {
  std::shared_ptr<const Machine> machine;  // null when diagnostics contain an ERROR
  std::vector<Diagnostic> diagnostics;
};

// Parses the definition text (JSON, or YAML as Step Functions accepts it)
// and validates it, collecting diagnostics.
CompileResult compileDefinition(std::string_view text, const CompileOptions& options = {});
CompileResult compileDefinition(const Json& definition, const CompileOptions& options = {});

// The InvalidDefinition error CreateStateMachine returns for these diagnostics:
// "Invalid State Machine Definition: 'CODE: message at /location'" (several
// joined the way AWS joins them).
AwsError invalidDefinitionError(const std::vector<Diagnostic>& diagnostics);

// ValidateStateMachineDefinition's response for a compile result:
// {"result": "OK"|"FAIL", "diagnostics": [...], "truncated": false}.
Json validationResponse(const CompileResult& compiled);

// Convenience: compile or fail with InvalidDefinition.
Result<std::shared_ptr<const Machine>> compileOrError(std::string_view text,
                                                      const CompileOptions& options = {});

}  // namespace sluice::asl
