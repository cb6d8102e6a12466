// Identifiers and ARNs. Randomness is injected (IdGenerator) so tests can be
// deterministic; ARNs are built here and nowhere else.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace sluice {

class IdGenerator {
 public:
  explicit IdGenerator(uint64_t seed = std::random_device{}()) : rng_(seed) {}
  // RFC 4122 version-4 UUID, lower case.
  std::string uuid();
  // Uniform integer in [lo, hi].
  int64_t uniform(int64_t lo, int64_t hi);
  // Uniform double in [0, 1).
  double unit();

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
};

struct Scope {
  std::string account = "000000000000";
  std::string region = "us-east-1";
  std::string partition = "aws";
};

namespace arn {
std::string stateMachine(const Scope& s, std::string_view name);
std::string execution(const Scope& s, std::string_view machineName, std::string_view execName);
// Express executions carry a run id after the name: express:<machine>:<name>:<id>.
std::string expressExecution(const Scope& s, std::string_view machineName,
                             std::string_view execName, std::string_view runId);
std::string mapRun(const Scope& s, std::string_view machineName, std::string_view mapRunId);
std::string lambdaFunction(const Scope& s, std::string_view name);
std::string role(const Scope& s, std::string_view name);
std::string sqsQueue(const Scope& s, std::string_view name);
std::string snsTopic(const Scope& s, std::string_view name);
}  // namespace arn

}  // namespace sluice
