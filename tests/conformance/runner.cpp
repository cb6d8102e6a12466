// ASL conformance runner: executes every case recorded against AWS (see
// ../shared/conformance/README.md) and compares status, output, error, cause
// and the history's event sequence. Prints one diff per failing case and
// ends with "N passed, M failed".
//
// With --actual FILE the executions are not run here: FILE holds what a run
// through `sluice server` gave for each case (the Lambda conformance test
// collects DescribeExecution and GetExecutionHistory with real functions), and
// only those cases are compared, by the same rules.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "asl/compile.hpp"
#include "engine/functions.hpp"
#include "engine/local_engine.hpp"
#include "function_double.hpp"
#include "matcher.hpp"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

struct Options {
  std::string casesDir;
  std::string queryLanguage = "all";  // JSONPath | JSONata | all
  std::string filter;
  int minPass = -1;  // fail the run below this many passes (-1: every selected case must pass)
  bool verbose = false;
  std::string actualFile;  // results of runs through the server, by case name
};

// What one execution gave: from the in-process engine, or from a server run.
struct Actual {
  std::string status;
  Json output;  // SUCCEEDED only
  std::string error, cause;
  JsonArray events;   // the summary compared with "events"
  JsonArray history;  // GetExecutionHistory's events, timestamps removed
};

struct Outcome {
  bool passed = true;
  std::vector<std::string> diffs;
  // The stricter, informational check: every recorded history event's
  // details (ids, previousEventId, *EventDetails) against ours.
  bool historyChecked = false;
  bool historyMatched = false;
  std::string historyDiff;
  void fail(std::string d) {
    passed = false;
    diffs.push_back(std::move(d));
  }
};

bool usesJsonata(const Json& v) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (kv.key() == "QueryLanguage" && kv.value() == "JSONata") return true;
      if (usesJsonata(kv.value())) return true;
    }
  } else if (v.is_array()) {
    for (const auto& e : v.get_array())
      if (usesJsonata(e)) return true;
  }
  return false;
}

std::string definitionText(const JsonObject& c) {
  if (auto* s = c.if_contains("definition_string"); s && s->is_string())
    return std::string(s->get_string());
  if (auto* d = c.if_contains("definition")) return toJsonText(*d);
  return "";
}

std::string show(const Json& v) {
  std::string t = toJsonText(v);
  if (t.size() > 600) t = t.substr(0, 600) + "...";
  return t;
}

// Event list as the case file records it: type, plus name (and index) where relevant.
JsonArray eventSummary(const std::vector<engine::HistoryEvent>& history) {
  JsonArray out;
  for (const auto& e : history) {
    JsonObject o;
    o["type"] = e.type;
    const bool stateEvent = e.type.ends_with("StateEntered") || e.type.ends_with("StateExited");
    if ((stateEvent || e.type.starts_with("MapIteration")) && !e.name.empty()) o["name"] = e.name;
    if (e.type.starts_with("MapIteration") && e.index >= 0) o["index"] = e.index;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> asKeys(const JsonArray& events) {
  std::vector<std::string> keys;
  for (const auto& e : events) keys.push_back(toJsonText(e));
  return keys;
}

// Cases marked parallel_events_sorted: the recorder sorted the Parallel
// stretch (ids replaced by [0]) and kept only part of it (no
// ParallelStateSucceeded, for one). The events around the stretch must match
// in order; every recorded event of the stretch must be among ours.
bool matchSortedStretch(const Json& expectedHistory, const std::vector<std::string>& e,
                        const std::vector<std::string>& a) {
  if (!expectedHistory.is_array()) return false;
  const auto& h = expectedHistory.get_array();
  if (h.size() != e.size()) return false;
  size_t first = h.size(), last = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    const Json* id = h[i].as_object().if_contains("id");
    if (id && id->is_array()) {
      first = std::min(first, i);
      last = i;
    }
  }
  if (first == h.size()) return e == a;
  size_t suffix = e.size() - last - 1;
  if (a.size() < first + suffix) return false;
  if (!std::equal(e.begin(), e.begin() + static_cast<long>(first), a.begin())) return false;
  if (!std::equal(e.end() - static_cast<long>(suffix), e.end(),
                  a.end() - static_cast<long>(suffix)))
    return false;
  std::multiset<std::string> ours(a.begin() + static_cast<long>(first),
                                  a.end() - static_cast<long>(suffix));
  for (size_t i = first; i <= last; ++i) {
    auto it = ours.find(e[i]);
    if (it == ours.end()) return false;
    ours.erase(it);
  }
  return true;
}

void compareEvents(const Json& expected, const JsonArray& actual, const Json* sortedHistory,
                   Outcome& out) {
  if (!expected.is_array()) return;
  auto e = asKeys(expected.get_array());
  auto a = asKeys(actual);
  bool same = sortedHistory ? matchSortedStretch(*sortedHistory, e, a) : e == a;
  if (same) return;
  std::ostringstream ss;
  ss << "events differ:\n";
  size_t n = std::max(e.size(), a.size());
  for (size_t i = 0; i < n; ++i) {
    std::string l = i < e.size() ? e[i] : "-";
    std::string r = i < a.size() ? a[i] : "-";
    ss << (l == r ? "      " : "   >> ") << l << (l == r ? "" : "   |   actual: " + r) << "\n";
  }
  out.fail(ss.str());
}

Outcome runCreateRejected(const JsonObject& c) {
  Outcome out;
  auto compiled = asl::compileDefinition(definitionText(c));
  const auto& expected = c.at("validation_error").as_object();
  if (compiled.machine) {
    out.fail("definition was accepted; AWS rejected it with " + show(expected.at("message")));
    return out;
  }
  AwsError err = asl::invalidDefinitionError(compiled.diagnostics);
  if (err.code != expected.at("code").as_string()) {
    out.fail("error code " + err.code + ", expected " + show(expected.at("code")));
  }
  conformance::Matcher matcher(conformance::defaultWildcards());
  if (!matcher.matchString(expected.at("message").as_string(), err.message)) {
    out.fail("message:\n     expected: " + std::string(expected.at("message").as_string()) +
             "\n     actual:   " + err.message);
  }
  return out;
}

Outcome runValidate(const JsonObject& c) {
  Outcome out;
  asl::CompileOptions options;
  if (auto* t = c.if_contains("state_machine_type")) options.express = *t == "EXPRESS";
  auto compiled = asl::compileDefinition(definitionText(c), options);
  const auto& expected = c.at("expected").as_object().at("validate_response").as_object();
  std::string result = compiled.machine ? "OK" : "FAIL";
  if (expected.at("result") != result.c_str()) {
    out.fail("result " + result + ", expected " + show(expected.at("result")));
  }
  const auto& diags = expected.at("diagnostics").as_array();
  if (diags.size() != compiled.diagnostics.size()) {
    std::string actual;
    for (const auto& d : compiled.diagnostics)
      actual += "\n     " + d.code + " " + d.location + " " + d.message;
    out.fail(std::to_string(compiled.diagnostics.size()) + " diagnostics, expected " +
             std::to_string(diags.size()) + ": " + show(expected.at("diagnostics")) + actual);
    return out;
  }
  for (size_t i = 0; i < diags.size(); ++i) {
    const auto& e = diags[i].as_object();
    const auto& a = compiled.diagnostics[i];
    auto field = [&](const char* k, const std::string& v) {
      if (auto* x = e.if_contains(k); x && *x != v.c_str()) {
        out.fail(std::string("diagnostic ") + std::to_string(i) + " " + k + ": expected " +
                 show(*x) + ", actual \"" + v + "\"");
      }
    };
    field("code", a.code);
    field("location", a.location);
    field("message", a.message);
    field("severity", a.severity);
  }
  return out;
}

// The event summary of GetExecutionHistory's events (a server run).
JsonArray summaryOf(const JsonArray& history) {
  JsonArray out;
  for (const auto& ev : history) {
    const JsonObject& e = ev.as_object();
    std::string type(e.at("type").as_string());
    JsonObject o{{"type", type}};
    for (const auto& kv : e) {
      if (!kv.key().ends_with("EventDetails") || !kv.value().is_object()) continue;
      const JsonObject& d = kv.value().as_object();
      const bool stateEvent = type.ends_with("StateEntered") || type.ends_with("StateExited");
      if (stateEvent || type.starts_with("MapIteration")) {
        if (auto* n = d.if_contains("name"); n && n->is_string() && !n->as_string().empty())
          o["name"] = *n;
      }
      if (type.starts_with("MapIteration")) {
        if (auto* i = d.if_contains("index")) o["index"] = *i;
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

Actual fromServerRun(const Json& recorded) {
  const JsonObject& r = recorded.as_object();
  Actual a;
  a.status = r.at("status").as_string();
  if (auto* o = r.if_contains("output"); o && o->is_string()) {
    auto parsed = parseJson(o->as_string());
    a.output = parsed ? *parsed : *o;
  }
  if (auto* e = r.if_contains("error"); e && e->is_string()) a.error = e->as_string();
  if (auto* c = r.if_contains("cause"); c && c->is_string()) a.cause = c->as_string();
  if (auto* h = r.if_contains("history"); h && h->is_array()) {
    for (const auto& ev : h->as_array()) {
      Json copy = ev;
      copy.as_object().erase("timestamp");
      a.history.push_back(std::move(copy));
    }
  }
  a.events = summaryOf(a.history);
  return a;
}

// Runs the case in-process, Lambda calls answered by the function double.
std::optional<Actual> runInEngine(const JsonObject& c, Outcome& out) {
  asl::CompileOptions options;
  bool express = false;
  if (auto* t = c.if_contains("state_machine_type")) express = *t == "EXPRESS";
  options.express = express;
  auto compiled = asl::compileDefinition(definitionText(c), options);
  if (!compiled.machine) {
    out.fail("definition rejected: " + asl::invalidDefinitionError(compiled.diagnostics).message);
    return std::nullopt;
  }

  engine::LocalEngine eng({.virtualClock = true, .seed = 7});
  std::map<std::string, std::string> behaviours;
  if (auto* fns = c.if_contains("functions"); fns && fns->is_object()) {
    for (const auto& kv : fns->get_object())
      behaviours[kv.key()] = std::string(kv.value().as_string());
  }
  auto double_ = std::make_shared<conformance::FunctionDouble>(behaviours, eng.ids());
  engine::registerLambdaIntegrations(eng.integrations(), double_, eng.ids());

  engine::ExecutionConfig config;
  config.scope.account = "111111111111";
  config.scope.region = "us-east-1";
  config.stateMachineName = "ConformanceMachine";
  config.express = express;
  Json input = c.contains("input") ? c.at("input") : Json(JsonObject{});
  auto exec = eng.run(compiled.machine, input, config);

  Actual a;
  a.status = engine::statusName(exec->status());
  if (exec->status() == engine::ExecutionStatus::Succeeded) a.output = exec->output();
  a.error = exec->error();
  a.cause = exec->cause();
  a.events = eventSummary(exec->history());
  for (const auto& e : exec->history()) {
    Json j = engine::historyEventToJson(e);
    j.as_object().erase("timestamp");
    a.history.push_back(std::move(j));
  }
  return a;
}

Outcome runExecution(const JsonObject& c, const Json* serverRun) {
  Outcome out;
  const auto& expected = c.at("expected").as_object();
  std::optional<Actual> run;
  if (serverRun) {
    run = fromServerRun(*serverRun);
  } else {
    run = runInEngine(c, out);
  }
  if (!run) return out;
  const Actual& act = *run;

  std::set<std::string> wildcards = conformance::defaultWildcards();
  const JsonObject* context = nullptr;
  if (auto* ctx = c.if_contains("context"); ctx && ctx->is_object()) {
    context = &ctx->get_object();
    if (auto* r = context->if_contains("recorded_value_replacements"); r && r->is_array()) {
      for (const auto& rep : r->get_array()) {
        if (!rep.is_object()) continue;
        if (auto* v = rep.as_object().if_contains("replacement"); v && v->is_string())
          wildcards.insert(std::string(v->get_string()));
      }
    }
  }
  conformance::Matcher matcher(wildcards);

  if (expected.at("status") != act.status.c_str()) {
    std::string detail = act.status;
    if (!act.error.empty()) detail += " error=" + act.error;
    if (!act.cause.empty()) detail += " cause=" + act.cause.substr(0, 400);
    out.fail("status " + detail + ", expected " + show(expected.at("status")));
  }
  bool outputRecorded = !(context && context->contains("output_not_recorded"));
  if (auto* o = expected.if_contains("output"); o && outputRecorded && act.status == "SUCCEEDED") {
    std::string where;
    if (!matcher.match(*o, act.output, &where)) {
      out.fail("output differs at " + where + ":\n     expected: " + show(*o) +
               "\n     actual:   " + show(act.output));
    }
  }
  if (auto* e = expected.if_contains("error"); e && e->is_string()) {
    if (!matcher.matchString(e->get_string(), act.error)) {
      out.fail("error \"" + act.error + "\", expected " + show(*e));
    }
  }
  if (auto* cause = expected.if_contains("cause"); cause && !cause->is_null()) {
    bool ok;
    if (cause->is_string()) {
      ok = matcher.matchString(cause->get_string(), act.cause);
    } else {
      auto parsed = parseJson(act.cause);
      ok = parsed && matcher.match(*cause, *parsed);
    }
    if (!ok) out.fail("cause \"" + act.cause + "\",\n     expected " + show(*cause));
  }
  // Parallel branches' and Map iterations' events are compared in the order
  // AWS recorded them, except where the recorder sorted the stretch.
  const Json* sortedHistory = nullptr;
  if (context && context->contains("parallel_events_sorted")) {
    sortedHistory = expected.if_contains("history");
  }
  if (auto* ev = expected.if_contains("events")) {
    compareEvents(*ev, act.events, sortedHistory, out);
  }
  if (auto* h = expected.if_contains("history"); h && h->is_array() && !sortedHistory) {
    out.historyChecked = true;
    out.historyMatched = true;
    const auto& recorded = h->as_array();
    if (recorded.size() != act.history.size()) {
      out.historyMatched = false;
      out.historyDiff = std::to_string(act.history.size()) + " events, recorded " +
                        std::to_string(recorded.size());
    }
    for (size_t i = 0; out.historyMatched && i < recorded.size(); ++i) {
      std::string where;
      if (!matcher.match(recorded[i], act.history[i], &where)) {
        out.historyMatched = false;
        out.historyDiff = "event " + std::to_string(i + 1) + " differs at " + where +
                          ":\n     recorded: " + show(recorded[i]) +
                          "\n     ours:     " + show(act.history[i]);
      }
    }
  }
  return out;
}

// A case the runner cannot reproduce: it records an API rejection but not the
// request that caused it (e.g. a logging configuration), so no definition.
bool runnable(const JsonObject& c) {
  if (auto* k = c.if_contains("kind"); k && *k == "create_rejected") {
    const auto& e = c.at("validation_error").as_object();
    if (e.at("code") != "InvalidDefinition") return false;  // rejected for another parameter
  }
  return c.contains("definition") || c.contains("definition_string");
}

Outcome runCase(const JsonObject& c, const Json* serverRun) {
  std::string kind = c.contains("kind") ? std::string(c.at("kind").as_string()) : "";
  if (kind == "create_rejected") return runCreateRejected(c);
  if (kind == "validate") return runValidate(c);
  return runExecution(c, serverRun);
}

int usage() {
  std::cerr << "usage: sluice_conformance --cases DIR [--query-language JSONPath|JSONata|all]\n"
               "                          [--filter TEXT] [--min-pass N] [--verbose]\n"
               "                          [--actual SERVER_RUNS.json]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--cases")
      opt.casesDir = next();
    else if (a == "--query-language")
      opt.queryLanguage = next();
    else if (a == "--filter")
      opt.filter = next();
    else if (a == "--min-pass")
      opt.minPass = std::stoi(next());
    else if (a == "--verbose")
      opt.verbose = true;
    else if (a == "--actual")
      opt.actualFile = next();
    else
      return usage();
  }
  if (opt.casesDir.empty()) return usage();
  if (!fs::is_directory(opt.casesDir)) {
    // A missing case directory is a failure, never a silent pass.
    std::cout << "conformance cases not found at " << opt.casesDir
              << " (configure with -DSLUICE_CONFORMANCE_DIR=...)\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(opt.casesDir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  std::map<std::string, Json> serverRuns;
  if (!opt.actualFile.empty()) {
    std::ifstream in(opt.actualFile);
    std::stringstream text;
    text << in.rdbuf();
    auto runs = parseJson(text.str());
    if (!runs || !runs->is_object()) {
      std::cout << "cannot read the server runs in " << opt.actualFile << "\n";
      return 2;
    }
    for (const auto& kv : runs->as_object()) serverRuns[std::string(kv.key())] = kv.value();
  }

  int passed = 0, failed = 0, otherLanguage = 0, notRunnable = 0;
  int historyChecked = 0, historyMatched = 0;
  std::map<std::string, std::pair<int, int>> byGroup;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = parseJson(ss.str());
    if (!doc || !doc->is_object()) {
      std::cout << "FAIL " << path.string() << ": unreadable case file\n";
      ++failed;
      continue;
    }
    const auto& c = doc->get_object();
    std::string name = c.contains("name") ? std::string(c.at("name").as_string()) : path.string();
    if (!opt.filter.empty() && name.find(opt.filter) == std::string::npos) continue;
    const Json* serverRun = nullptr;
    if (!serverRuns.empty()) {
      auto it = serverRuns.find(name);
      if (it == serverRuns.end()) continue;  // only the cases run through the server
      serverRun = &it->second;
    }
    Json definition = c.contains("definition") ? c.at("definition") : Json(definitionText(c));
    bool jsonata =
        usesJsonata(definition) || definitionText(c).find("JSONata") != std::string::npos;
    if ((opt.queryLanguage == "JSONPath" && jsonata) ||
        (opt.queryLanguage == "JSONata" && !jsonata)) {
      ++otherLanguage;
      continue;
    }
    if (!runnable(c)) {
      std::cout << "NOT RUNNABLE " << name
                << ": the case does not record the request parameter that was rejected\n";
      ++notRunnable;
      continue;
    }
    Outcome r = runCase(c, serverRun);
    if (r.historyChecked) {
      ++historyChecked;
      if (r.historyMatched) {
        ++historyMatched;
      } else if (opt.verbose) {
        std::cout << "history " << name << ": " << r.historyDiff << "\n";
      }
    }
    std::string group = name.substr(0, name.find('/'));
    if (r.passed) {
      ++passed;
      ++byGroup[group].first;
      if (opt.verbose) std::cout << "ok   " << name << "\n";
    } else {
      ++failed;
      ++byGroup[group].second;
      std::cout << "FAIL " << name << "\n";
      for (const auto& d : r.diffs) std::cout << "   - " << d << "\n";
    }
  }
  std::cout << "\nby group (passed/total):\n";
  for (const auto& [g, pf] : byGroup)
    std::cout << "  " << g << ": " << pf.first << "/" << pf.first + pf.second << "\n";
  if (otherLanguage) {
    std::cout << otherLanguage << " cases of the other query language not run here\n";
  }
  if (notRunnable) std::cout << notRunnable << " cases not runnable (listed above)\n";
  // Informational: the stricter event-by-event comparison (--verbose lists differences).
  std::cout << "history details: " << historyMatched << " of " << historyChecked
            << " recorded histories match event by event\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  if (opt.minPass >= 0) return passed >= opt.minPass ? 0 : 1;
  return failed == 0 ? 0 : 1;
}
