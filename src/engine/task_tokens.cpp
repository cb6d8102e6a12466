#include "engine/task_tokens.hpp"

#include "core/encoding.hpp"

namespace sluice::engine {

std::string TaskTokens::newToken() {
  // Opaque and long, like AWS's tokens; two UUIDs of randomness.
  return base64Encode(ids_.uuid() + ":" + ids_.uuid());
}

void TaskTokens::await(const std::string& token, Waiter waiter) {
  waiting_[token] = std::move(waiter);
}

void TaskTokens::retire(const std::string& token) {
  if (waiting_.erase(token)) retired_.insert(token);
}

Result<TaskTokens::Waiter*> TaskTokens::find(const std::string& token) {
  if (auto it = waiting_.find(token); it != waiting_.end()) return &it->second;
  if (retired_.count(token)) {
    return AwsError{"TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", 400};
  }
  return AwsError{"InvalidToken", "Invalid Token: 'Invalid token'", 400};
}

Result<void> TaskTokens::succeed(const std::string& token, Json output) {
  auto w = find(token);
  if (!w) return w.error();
  auto complete = std::move((*w)->complete);
  retire(token);
  complete(std::move(output));
  return {};
}

Result<void> TaskTokens::fail(const std::string& token, std::string error, std::string cause) {
  auto w = find(token);
  if (!w) return w.error();
  auto complete = std::move((*w)->complete);
  retire(token);
  complete(asl::StatesError{std::move(error), std::move(cause)});
  return {};
}

Result<void> TaskTokens::heartbeat(const std::string& token) {
  auto w = find(token);
  if (!w) return w.error();
  if ((*w)->heartbeat) (*w)->heartbeat();
  return {};
}

}  // namespace sluice::engine
