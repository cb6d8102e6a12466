// JSONata evaluation throughput on the workloads of bench/jsonata/
// (workloads.json over data.json, ~100 KiB). bench/jsonata/compare.sh runs
// the same workloads with the reference JavaScript implementation.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "asl/jsonata/jsonata.hpp"
#include "core/json.hpp"

namespace {

namespace jsonata = sluice::asl::jsonata;

std::filesystem::path benchDir() {
  if (const char* env = std::getenv("SLUICE_JSONATA_BENCH_DIR")) return env;
  return std::filesystem::path(__FILE__).parent_path() / "jsonata";
}

sluice::Json readJson(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = sluice::parseJson(ss.str());
  if (!j) throw std::runtime_error("cannot read " + p.string());
  return *j;
}

const sluice::Json& data() {
  static const sluice::Json d = readJson(benchDir() / "data.json");
  return d;
}

std::string workload(const std::string& name) {
  static const sluice::Json w = readJson(benchDir() / "workloads.json");
  for (const auto& item : w.as_array()) {
    if (item.at("name").as_string() == name) return std::string(item.at("expr").as_string());
  }
  throw std::runtime_error("no workload " + name);
}

void runWorkload(benchmark::State& state, const std::string& name) {
  auto compiled = jsonata::Expression::compile(workload(name));
  if (std::holds_alternative<jsonata::Error>(compiled)) {
    state.SkipWithError("compile failed");
    return;
  }
  const auto& expr = std::get<jsonata::Expression>(compiled);
  const sluice::Json& doc = data();
  for (auto _ : state) {
    auto r = expr.evaluate(&doc);
    benchmark::DoNotOptimize(r);
  }
  state.counters["evals_per_sec"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Jsonata_Path(benchmark::State& s) {
  runWorkload(s, "path");
}
void BM_Jsonata_FilterAggregate(benchmark::State& s) {
  runWorkload(s, "filter_aggregate");
}
void BM_Jsonata_StringMapJoin(benchmark::State& s) {
  runWorkload(s, "string_map_join");
}

}  // namespace

BENCHMARK(BM_Jsonata_Path)->UseRealTime();
BENCHMARK(BM_Jsonata_FilterAggregate)->UseRealTime();
BENCHMARK(BM_Jsonata_StringMapJoin)->UseRealTime();
