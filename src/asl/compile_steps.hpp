// The definition compiler's passes (private to compile_*.cpp / validate_*.cpp):
// machine → states → per-type specs, then transitions and reachability.
#pragma once

#include <memory>
#include <string>

#include "asl/compile_context.hpp"

namespace sluice::asl::detail {

// A machine object (the definition, a Parallel branch, a Map ItemProcessor).
// `location` is "/" for the definition itself. Extra allowed top-level fields
// differ per kind, hence `allowed`.
std::shared_ptr<Machine> compileMachine(CompileContext& ctx, const Json& definition,
                                        const std::string& location,
                                        std::initializer_list<std::string_view> allowed);

// One state. Always returns a State (a placeholder when the definition is
// unusable) so that state indices stay aligned with the definition order.
State compileState(CompileContext& ctx, const std::string& name, const Json& definition,
                   const std::string& location);

// Type-specific parts (JSONPath semantics unless the state is JSONata).
void compilePass(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileTask(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileChoice(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileWait(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileFail(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileParallel(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileMap(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);

// Retry and Catch (Task, Parallel, Map).
void compileRetry(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);
void compileCatch(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st);

// The fields a state of `type` may have in `language`.
const std::vector<std::string_view>& allowedStateFields(StateType type, QueryLanguage language);

// Task Resource: splits the integration pattern and checks the ARN.
void checkTaskResource(CompileContext& ctx, const std::string& resource, const std::string& loc,
                       TaskSpec& spec);

// Resolves Next / Default / Catch targets to indices and reports missing
// targets, states without a transition and unreachable states.
void resolveTransitions(CompileContext& ctx, Machine& machine, const std::string& location,
                        bool checkReachability);

}  // namespace sluice::asl::detail
