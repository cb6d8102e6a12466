// Runtime failures of ASL evaluation: a Step Functions error name and cause,
// as they appear in history and in Catch results (e.g. States.Runtime).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sluice::asl {

struct StatesError {
  std::string error;
  std::string cause;
  // Set for a failed JSONata evaluation, which the engine records as an
  // EvaluationFailed event: the field that failed ("Arguments/FunctionName";
  // empty when the failure is not tied to a field).
  std::optional<std::string> evaluationLocation{};
};

namespace errors {
inline constexpr const char* kAll = "States.ALL";
inline constexpr const char* kRuntime = "States.Runtime";
inline constexpr const char* kTimeout = "States.Timeout";
inline constexpr const char* kHeartbeatTimeout = "States.HeartbeatTimeout";
inline constexpr const char* kTaskFailed = "States.TaskFailed";
inline constexpr const char* kDataLimitExceeded = "States.DataLimitExceeded";
inline constexpr const char* kParameterPathFailure = "States.ParameterPathFailure";
inline constexpr const char* kResultPathMatchFailure = "States.ResultPathMatchFailure";
inline constexpr const char* kIntrinsicFailure = "States.IntrinsicFailure";
inline constexpr const char* kBranchFailed = "States.BranchFailed";
inline constexpr const char* kNoChoiceMatched = "States.NoChoiceMatched";
inline constexpr const char* kItemReaderFailed = "States.ItemReaderFailed";
inline constexpr const char* kExceedToleratedFailureThreshold =
    "States.ExceedToleratedFailureThreshold";
inline constexpr const char* kPermissions = "States.Permissions";
inline constexpr const char* kQueryEvaluationError = "States.QueryEvaluationError";
}  // namespace errors

// Either a value or a StatesError.
template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}
  Outcome(StatesError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const StatesError& error() const { return std::get<1>(v_); }
  StatesError&& takeError() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, StatesError> v_;
};

}  // namespace sluice::asl
