// Engine throughput and latency on the shared workloads in bench/workloads/
// (the same files bench/peer/run_peer.mjs runs on aws-local-stepfunctions).
//
// Each benchmark compiles its machine once, checks one execution (it must
// succeed and enter exactly the number of states the manifest says), then
// times whole executions: LocalEngine::run from start to the final event,
// including the copy of the input document the execution takes ownership of.
//
// The workloads directory is $SLUICE_BENCH_WORKLOADS, or bench/workloads next
// to this source file.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "asl/compile.hpp"
#include "core/json.hpp"
#include "engine/local_engine.hpp"

namespace {

using namespace sluice;

struct Workload {
  std::string name;
  bool express = false;
  std::string definition;
  Json input;
  int64_t transitions = 0;  // *StateEntered events per execution
  std::string error;        // set when the workload could not be loaded
};

std::filesystem::path workloadsDir() {
  if (const char* env = std::getenv("SLUICE_BENCH_WORKLOADS"); env && *env) return env;
  return std::filesystem::path(__FILE__).parent_path() / "workloads";
}

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Workload loadWorkload(const std::string& name) {
  Workload w;
  w.name = name;
  const auto dir = workloadsDir();
  auto manifestText = readFile(dir / "manifest.json");
  if (!manifestText) {
    w.error = "cannot read " + (dir / "manifest.json").string();
    return w;
  }
  std::string parseError;
  auto manifest = parseJson(*manifestText, &parseError);
  if (!manifest || !manifest->is_object()) {
    w.error = "bad manifest.json: " + parseError;
    return w;
  }
  const auto* list = manifest->as_object().if_contains("workloads");
  if (!list || !list->is_array()) {
    w.error = "manifest.json has no workloads array";
    return w;
  }
  for (const auto& entry : list->as_array()) {
    const auto& obj = entry.as_object();
    if (obj.at("name").as_string() != name) continue;
    w.express = obj.at("type").as_string() == "EXPRESS";
    w.transitions = obj.at("transitionsPerExecution").to_number<int64_t>();
    const std::string defFile(obj.at("definition").as_string());
    const std::string inputFile(obj.at("input").as_string());
    auto def = readFile(dir / defFile);
    auto input = readFile(dir / inputFile);
    if (!def || !input) {
      w.error = "cannot read " + defFile + " or " + inputFile + " in " + dir.string();
      return w;
    }
    w.definition = std::move(*def);
    auto parsed = parseJson(*input, &parseError);
    if (!parsed) {
      w.error = inputFile + ": " + parseError;
      return w;
    }
    w.input = std::move(*parsed);
    return w;
  }
  w.error = "workload " + name + " not in manifest.json";
  return w;
}

const Workload& workload(const std::string& name) {
  static std::map<std::string, Workload> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, loadWorkload(name)).first;
  return it->second;
}

int64_t stateEntries(const engine::Execution& exec) {
  int64_t n = 0;
  for (const auto& e : exec.history()) {
    const std::string_view type = e.type;
    if (type.ends_with("StateEntered")) ++n;
  }
  return n;
}

// Compiles the workload's machine and checks one execution. On failure the
// benchmark is skipped with the reason and nullptr is returned.
std::shared_ptr<const asl::Machine> prepare(benchmark::State& state, const Workload& w,
                                            engine::LocalEngine& eng,
                                            const engine::ExecutionConfig& config) {
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return nullptr;
  }
  auto compiled = asl::compileOrError(w.definition, {.express = w.express});
  if (!compiled) {
    const std::string msg = "compile failed: " + compiled.error().message;
    state.SkipWithError(msg.c_str());
    return nullptr;
  }
  auto machine = std::move(compiled).value();
  auto exec = eng.run(machine, w.input, config);
  if (exec->status() != engine::ExecutionStatus::Succeeded) {
    const std::string msg = "check run ended " + std::string(engine::statusName(exec->status())) +
                            ": " + exec->error() + ": " + exec->cause();
    state.SkipWithError(msg.c_str());
    return nullptr;
  }
  if (const auto entered = stateEntries(*exec); entered != w.transitions) {
    const std::string msg = "check run entered " + std::to_string(entered) +
                            " states, manifest says " + std::to_string(w.transitions);
    state.SkipWithError(msg.c_str());
    return nullptr;
  }
  return machine;
}

engine::ExecutionConfig configFor(const Workload& w) {
  engine::ExecutionConfig config;
  config.express = w.express;
  return config;
}

// (a)-(c): executions back to back; reports transitions/s and executions/s.
void runThroughput(benchmark::State& state, const std::string& name) {
  const Workload& w = workload(name);
  engine::LocalEngine eng({.virtualClock = true, .seed = 1});
  const auto config = configFor(w);
  auto machine = prepare(state, w, eng, config);
  if (!machine) return;
  bool ok = true;
  for (auto _ : state) {
    auto exec = eng.run(machine, w.input, config);
    ok = ok && exec->status() == engine::ExecutionStatus::Succeeded;
    benchmark::DoNotOptimize(exec.get());
  }
  if (!ok) {
    state.SkipWithError("an execution did not succeed");
    return;
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["transitions/s"] = benchmark::Counter(
      iterations * static_cast<double>(w.transitions), benchmark::Counter::kIsRate);
  state.counters["executions/s"] = benchmark::Counter(iterations, benchmark::Counter::kIsRate);
  state.counters["transitions"] = static_cast<double>(w.transitions);
}

void BM_a_PassChain(benchmark::State& state) {
  runThroughput(state, "a_pass_chain");
}
void BM_b_InlineMap(benchmark::State& state) {
  runThroughput(state, "b_inline_map");
}
void BM_c_Parallel(benchmark::State& state) {
  runThroughput(state, "c_parallel");
}

// (d): each execution timed on its own; reports the median and p99 of the
// start-to-finish latency next to Google Benchmark's mean.
void BM_d_SingleStateLatency(benchmark::State& state) {
  const Workload& w = workload("d_single_state");
  engine::LocalEngine eng({.virtualClock = true, .seed = 1});
  const auto config = configFor(w);
  auto machine = prepare(state, w, eng, config);
  if (!machine) return;
  std::vector<double> samples;  // microseconds
  samples.reserve(static_cast<size_t>(state.max_iterations));
  bool ok = true;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto exec = eng.run(machine, w.input, config);
    const auto stop = std::chrono::steady_clock::now();
    ok = ok && exec->status() == engine::ExecutionStatus::Succeeded;
    samples.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
  }
  if (!ok || samples.empty()) {
    state.SkipWithError("an execution did not succeed");
    return;
  }
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    const auto i = static_cast<size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
    return samples[std::min(i, samples.size() - 1)];
  };
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["transitions/s"] = benchmark::Counter(
      iterations * static_cast<double>(w.transitions), benchmark::Counter::kIsRate);
  state.counters["executions/s"] = benchmark::Counter(iterations, benchmark::Counter::kIsRate);
}

BENCHMARK(BM_a_PassChain)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_b_InlineMap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_c_Parallel)->Unit(benchmark::kMicrosecond)->UseRealTime();
// A fixed sample count, the same as the peer's default (--latency-runs), so
// both percentiles come from equally many executions.
constexpr int kLatencyRuns = 100000;
BENCHMARK(BM_d_SingleStateLatency)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->Iterations(kLatencyRuns);

}  // namespace
