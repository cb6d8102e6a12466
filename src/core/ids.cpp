#include "core/ids.hpp"

#include <cstdio>

namespace sluice {

std::string IdGenerator::uuid() {
  uint64_t a, b;
  {
    std::lock_guard lock(mu_);
    a = rng_();
    b = rng_();
  }
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

int64_t IdGenerator::uniform(int64_t lo, int64_t hi) {
  std::lock_guard lock(mu_);
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
}

double IdGenerator::unit() {
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

namespace arn {
namespace {
std::string prefix(const Scope& s, std::string_view service) {
  std::string out = "arn:";
  out += s.partition;
  out += ':';
  out += service;
  out += ':';
  out += s.region;
  out += ':';
  out += s.account;
  out += ':';
  return out;
}
}  // namespace

std::string stateMachine(const Scope& s, std::string_view name) {
  return prefix(s, "states") + "stateMachine:" + std::string(name);
}
std::string execution(const Scope& s, std::string_view machineName, std::string_view execName) {
  return prefix(s, "states") + "execution:" + std::string(machineName) + ":" +
         std::string(execName);
}
std::string expressExecution(const Scope& s, std::string_view machineName,
                             std::string_view execName, std::string_view runId) {
  return prefix(s, "states") + "express:" + std::string(machineName) + ":" + std::string(execName) +
         ":" + std::string(runId);
}
std::string mapRun(const Scope& s, std::string_view machineName, std::string_view mapRunId) {
  return prefix(s, "states") + "mapRun:" + std::string(machineName) + "/" + std::string(mapRunId);
}
std::string lambdaFunction(const Scope& s, std::string_view name) {
  return prefix(s, "lambda") + "function:" + std::string(name);
}
std::string role(const Scope& s, std::string_view name) {
  return "arn:" + s.partition + ":iam::" + s.account + ":role/" + std::string(name);
}
std::string sqsQueue(const Scope& s, std::string_view name) {
  return prefix(s, "sqs") + std::string(name);
}
std::string snsTopic(const Scope& s, std::string_view name) {
  return prefix(s, "sns") + std::string(name);
}
}  // namespace arn

}  // namespace sluice
