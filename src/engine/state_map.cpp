// The Map state: one frame per item, at most MaxConcurrency at a time, with
// ItemSelector, ItemBatcher and tolerated failures. Distributed mode runs the
// same way but records its iterations in child executions, not here.
#include <charconv>

#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

using asl::Outcome;
using asl::StatesError;

namespace {

// A path value read as an integer: numbers, or strings holding one ("1").
std::optional<long long> integerValue(const std::optional<Json>& v) {
  if (!v) return std::nullopt;
  if (isNumber(*v)) return toInteger(*v);
  if (v->is_string()) {
    std::string_view s = v->get_string();
    long long n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && p == s.data() + s.size()) return n;
  }
  return std::nullopt;
}

std::optional<double> numberValue(const std::optional<Json>& v) {
  if (!v) return std::nullopt;
  if (isNumber(*v)) return toDouble(*v);
  if (v->is_string()) {
    std::string_view s = v->get_string();
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return d;
  }
  return std::nullopt;
}

// "The XPath field refers to value "v" which is not a valid integer: $.path"
std::string badPathValue(const char* field, const Json* v, const asl::Path& path,
                         const char* kind) {
  std::string shown = !v ? "null" : v->is_string() ? std::string(v->get_string()) : toJsonText(*v);
  return std::string("The ") + field + " field refers to value \"" + shown +
         "\" which is not a valid " + kind + ": " + path.text();
}

// MaxConcurrency, ToleratedFailureCount/Percentage as JSONata expressions:
// a number of at least 0 (an integer when `integer`).
Outcome<double> jsonataCount(const asl::JsonataTemplate& t, const asl::EvalEnv& env, bool integer) {
  auto v = t.evaluate(env);
  if (!v) return v.takeError();
  std::optional<double> n;
  if (isNumber(*v)) {
    if (!integer) {
      n = toDouble(*v);
    } else if (auto i = toInteger(*v)) {
      n = static_cast<double>(*i);
    }
  }
  if (!n || *n < 0) return t.unexpectedType(*v, integer ? "integer" : "number");
  return *n;
}

}  // namespace

// JSONata Items: an array or an expression giving one; without Items the
// state's input must be an array.
Outcome<Json> Execution::jsonataItems(Frame& f, const asl::EvalEnv& env, const Json& input) {
  const auto& spec = f.state().as<asl::MapSpec>();
  if (!spec.items) {
    if (input.is_array()) return input;
    return withStatePrefix(
        f, asl::queryEvaluationError(
               "Map state input must be an array but was: " + toJsonText(input), ""));
  }
  auto v = evaluateJsonata(f, *spec.items, env);
  if (!v) return v.takeError();
  if (!v->is_array()) return withStatePrefix(f, spec.items->unexpectedType(*v, "array"));
  return v;
}

void Execution::runMap(const FramePtr& f) {
  const asl::State& s = f->state();
  const auto& spec = s.as<asl::MapSpec>();
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return failState(f, input.takeError());
  auto env = s.isJsonata() ? jsonataEnv(*f, **input) : envFor(*f, **input);

  if (spec.itemReader) {
    return failState(f, StatesError{asl::errors::kItemReaderFailed,
                                    "ItemReader is not supported yet by this engine."});
  }
  Json items;
  if (s.isJsonata()) {
    auto v = jsonataItems(*f, env, **input);
    if (!v) return failState(f, v.takeError(), {"MapStateFailed"});
    items = std::move(v.value());
  } else if (spec.itemsPath) {
    auto v = spec.itemsPath->select(env);
    if (!v) {
      return failState(
          f, runtimeError(*f, "Invalid path '" + spec.itemsPath->text() +
                                  "' : No results for path: " + spec.itemsPath->normalized()));
    }
    items = std::move(*v);
  } else {
    items = **input;
  }
  if (!items.is_array()) {
    return failState(
        f, runtimeError(*f, "Map state input must be an array but was: " + toJsonText(items)));
  }
  inspect(*f, &SingleStateReport::afterItemsPath, items);

  auto group = std::make_shared<ChildGroup>();
  // MaxConcurrency(Path)
  if (spec.maxConcurrency.value) {
    group->maxConcurrency = static_cast<size_t>(std::max(0LL, *spec.maxConcurrency.value));
  } else if (spec.maxConcurrency.path) {
    auto v = spec.maxConcurrency.path->select(env);
    auto n = integerValue(v);
    if (!n || *n < 0) {
      return failState(f, runtimeError(*f, badPathValue("MaxConcurrencyPath", v ? &*v : nullptr,
                                                        *spec.maxConcurrency.path, "integer")));
    }
    group->maxConcurrency = static_cast<size_t>(*n);
  } else if (spec.maxConcurrency.expression) {
    auto n = jsonataCount(*spec.maxConcurrency.expression, env, true);
    if (!n) return failState(f, withStatePrefix(*f, n.takeError()), {"MapStateFailed"});
    group->maxConcurrency = static_cast<size_t>(*n);
  }
  // ItemBatcher: items become {"Items": [...], "BatchInput": ...} batches.
  auto& arr = items.as_array();
  if (spec.itemBatcher && spec.itemBatcher->is_object()) {
    const auto& b = spec.itemBatcher->as_object();
    size_t maxItems = arr.size() ? arr.size() : 1;
    if (const Json* m = b.if_contains("MaxItemsPerBatch"); m && toInteger(*m))
      maxItems = static_cast<size_t>(std::max(1LL, *toInteger(*m)));
    if (const Json* mp = b.if_contains("MaxItemsPerBatchPath"); mp && mp->is_string()) {
      if (auto path = asl::Path::parse(mp->get_string())) {
        auto v = path->select(env);
        if (v && toInteger(*v) && *toInteger(*v) > 0)
          maxItems = static_cast<size_t>(*toInteger(*v));
      }
    }
    size_t maxBytes = 256 * 1024;
    if (const Json* m = b.if_contains("MaxInputBytesPerBatch"); m && toInteger(*m))
      maxBytes = static_cast<size_t>(std::max(1LL, *toInteger(*m)));
    std::optional<Json> batchInput;
    if (const Json* bi = b.if_contains("BatchInput")) {
      auto t = asl::PayloadTemplate::compile(*bi);
      if (t) {
        auto v = t->evaluate(env);
        if (!v) return failState(f, withStatePrefix(*f, v.takeError()));
        batchInput = std::move(v.value());
      }
    }
    JsonArray batches;
    JsonArray current;
    size_t bytes = 0;
    for (auto& item : arr) {
      size_t sz = toJsonText(item).size();
      if (!current.empty() && (current.size() >= maxItems || bytes + sz > maxBytes)) {
        JsonObject batch;
        batch["Items"] = std::move(current);
        if (batchInput) batch["BatchInput"] = *batchInput;
        batches.push_back(std::move(batch));
        current = JsonArray{};
        bytes = 0;
      }
      current.push_back(std::move(item));
      bytes += sz;
    }
    if (!current.empty()) {
      JsonObject batch;
      batch["Items"] = std::move(current);
      if (batchInput) batch["BatchInput"] = *batchInput;
      batches.push_back(std::move(batch));
    }
    arr = std::move(batches);
  }

  group->distributed = spec.distributed;
  group->items.reserve(arr.size());
  for (auto& item : arr) group->items.push_back(std::move(item));
  group->results.resize(group->items.size());
  group->frames.resize(group->items.size());
  group->mapInput = takeInput(*f, *input, true);
  f->group = group;

  {
    JsonObject d;
    d["length"] = static_cast<int64_t>(group->items.size());
    emit(*f, "MapStateStarted", std::move(d));
  }
  // ToleratedFailureCount(Path) / ToleratedFailurePercentage(Path): read
  // after MapStateStarted, as AWS records it.
  env = s.isJsonata() ? jsonataEnv(*f, group->mapInput) : envFor(*f, group->mapInput);
  if (spec.toleratedFailureCount.value) {
    group->toleratedCount = static_cast<double>(*spec.toleratedFailureCount.value);
  } else if (spec.toleratedFailureCount.path) {
    auto v = spec.toleratedFailureCount.path->select(env);
    auto n = integerValue(v);
    if (!n) {
      return failState(f,
                       runtimeError(*f, badPathValue("ToleratedFailureCountPath", v ? &*v : nullptr,
                                                     *spec.toleratedFailureCount.path, "integer")));
    }
    if (*n < 0) {
      return failState(f, runtimeError(*f, "ToleratedFailureCount cannot be negative."));
    }
    group->toleratedCount = static_cast<double>(*n);
  } else if (spec.toleratedFailureCount.expression) {
    auto n = jsonataCount(*spec.toleratedFailureCount.expression, env, true);
    if (!n) return failState(f, withStatePrefix(*f, n.takeError()), {"MapStateFailed"});
    group->toleratedCount = *n;
  }
  if (spec.toleratedFailurePercentage.value) {
    group->toleratedPercentage = *spec.toleratedFailurePercentage.value;
  } else if (spec.toleratedFailurePercentage.path) {
    auto v = spec.toleratedFailurePercentage.path->select(env);
    auto pct = numberValue(v);
    if (!pct) {
      return failState(
          f, runtimeError(*f, badPathValue("ToleratedFailurePercentagePath", v ? &*v : nullptr,
                                           *spec.toleratedFailurePercentage.path, "float")));
    }
    double p = *pct;
    if (p < 0 || p > 100) {
      return failState(f,
                       runtimeError(*f, "ToleratedFailurePercentage must be between 0 and 100."));
    }
    group->toleratedPercentage = p;
  } else if (spec.toleratedFailurePercentage.expression) {
    auto p = jsonataCount(*spec.toleratedFailurePercentage.expression, env, false);
    if (p && *p > 100)
      p = spec.toleratedFailurePercentage.expression->unexpectedType(*p, "percentage");
    if (!p) return failState(f, withStatePrefix(*f, p.takeError()), {"MapStateFailed"});
    group->toleratedPercentage = *p;
  }
  if (single_ && singleStateMocked(f)) return;

  if (group->distributed) {
    JsonObject d;
    d["mapRunArn"] = arn::mapRun(config_.scope, config_.stateMachineName,
                                 config_.executionName + ":" + ctx_.ids.uuid());
    emit(*f, "MapRunStarted", std::move(d));
  }
  group->startedEventId = f->lastEventId;
  if (group->items.empty()) {
    group->closed = true;
    if (group->distributed) emit(*f, "MapRunSucceeded");
    emit(*f, "MapStateSucceeded");
    return completeState(f, Json(JsonArray{}));
  }
  launchMapIterations(f);
}

void Execution::launchMapIterations(const FramePtr& f) {
  auto group = f->group;
  // Re-entrancy guard: iterations that finish synchronously call back in here;
  // the outer loop launches the next ones instead of recursing.
  if (group->frames.empty() || group->closed) return;
  const asl::State& s = f->state();
  const auto& spec = s.as<asl::MapSpec>();
  bool inline_ = !group->distributed;

  auto canLaunch = [&] {
    return !group->closed && group->launched < group->items.size() &&
           (group->maxConcurrency == 0 || group->running < group->maxConcurrency);
  };
  while (canLaunch()) {
    // The iterations that can run now all start before any of them runs, as
    // AWS records them (their MapIterationStarted first).
    std::vector<std::pair<size_t, Json>> batch;
    while (canLaunch()) {
      size_t i = group->launched++;
      auto itemInput = mapItemInput(*f, *group, i);
      if (!itemInput) {
        group->closed = true;
        for (auto& other : group->frames)
          if (other && !other->finished) abortFrame(other);
        return failState(f, itemInput.takeError(), {"MapStateFailed"});
      }
      auto child =
          newFrame(spec.processor.get(), f->vars.get(), f.get(), f->recordEvents && inline_);
      group->frames[i] = child;
      ++group->running;
      if (inline_) {
        emitIteration(*f, "MapIterationStarted", static_cast<int64_t>(i));
        child->lastEventId = f->lastEventId;
      }
      attachIteration(f, i);
      batch.emplace_back(i, std::move(itemInput.value()));
    }
    group->launching = true;
    for (auto& [i, input] : batch) {
      if (group->closed) break;
      startFrame(group->frames[i], std::move(input));
    }
    runDeferredStarts(*group);
    group->launching = false;
  }
}

void Execution::runDeferredStarts(ChildGroup& group) {
  // A start may schedule another (a task after a task that ended at once).
  for (size_t k = 0; k < group.deferredStarts.size(); ++k) {
    auto start = std::move(group.deferredStarts[k]);
    start();
  }
  group.deferredStarts.clear();
}

Outcome<Json> Execution::mapItemInput(Frame& f, const ChildGroup& group, size_t i) {
  const auto& spec = f.state().as<asl::MapSpec>();
  if (!spec.itemSelector && !spec.jsonataItemSelector) return group.items[i];
  JsonObject item;
  item["Index"] = static_cast<int64_t>(i);
  item["Value"] = group.items[i];
  f.mapItem = Json(std::move(item));
  auto v = spec.jsonataItemSelector
               ? spec.jsonataItemSelector->evaluate(jsonataEnv(f, group.mapInput))
               : spec.itemSelector->evaluate(envFor(f, group.mapInput));
  f.mapItem.reset();
  if (f.context) f.context->as_object().erase("Map");
  if (!v) return withStatePrefix(f, v.takeError());
  return v;
}

void Execution::attachIteration(const FramePtr& f, size_t i) {
  auto self = shared_from_this();
  uint64_t gen = f->generation;
  auto group = f->group;
  bool inline_ = !group->distributed;
  group->frames[i]->onDone = [this, self, f, gen, group, i, inline_](Outcome<Json> outcome) {
    auto child = group->frames[i];
    // Its Task's TaskStateAborted, after the iteration's own event.
    auto taskAborted = [this, child] {
      if (child && child->abortedTask) {
        child->abortedTask = false;
        emit(*child, "TaskStateAborted");
      }
    };
    if (group->closed || f->generation != gen || f->finished || done()) return taskAborted();
    --group->running;
    ++group->completed;
    // What follows an iteration's end — the next iteration's start, the
    // Map's failure — is linked to the iteration's last event, as AWS links
    // it; only the Map's success follows its MapIterationSucceeded.
    const int64_t childLast = child->lastEventId;
    f->lastEventId = childLast;
    if (outcome) {
      group->results[i] = std::move(outcome.value());
      if (inline_) {
        emitIteration(*f, "MapIterationSucceeded", static_cast<int64_t>(i));
      }
      // Redrive reads finished iterations' frames (and the history): an
      // execution that keeps no history cannot be redriven, so its finished
      // iterations are let go — memory then follows the iterations running.
      if (!config_.keepHistory) group->frames[i].reset();
    } else {
      ++group->failures;
      if (inline_) {
        emitIteration(*f, "MapIterationFailed", static_cast<int64_t>(i));
      }
      taskAborted();
      StatesError err = outcome.takeError();
      bool tolerant = group->toleratedCount >= 0 || group->toleratedPercentage >= 0;
      double failures = static_cast<double>(group->failures);
      double total = static_cast<double>(group->items.size());
      bool exceeded = !tolerant ||
                      (group->toleratedCount >= 0 && failures > group->toleratedCount) ||
                      (group->toleratedPercentage >= 0 &&
                       failures * 100.0 / total > group->toleratedPercentage);
      f->lastEventId = childLast;
      if (exceeded) {
        group->closed = true;
        for (size_t j = 0; j < group->frames.size(); ++j) {
          const auto& other = group->frames[j];
          if (!other || other->finished) continue;
          if (inline_) {
            emitIteration(*f, "MapIterationAborted", static_cast<int64_t>(j));
          }
          abortFrame(other);
        }
        if (tolerant) {
          err = {asl::errors::kExceedToleratedFailureThreshold,
                 "The specified tolerated failure threshold was exceeded"};
        }
        if (group->distributed)
          return failState(f, std::move(err), {"MapRunFailed", "MapStateFailed"});
        return failState(f, std::move(err), {"MapStateFailed"});
      }
      JsonObject e;
      e["Error"] = err.error;
      e["Cause"] = err.cause;
      group->results[i] = std::move(e);
    }
    if (group->completed == group->items.size()) {
      group->closed = true;
      if (group->distributed) emit(*f, "MapRunSucceeded");
      // MapStateSucceeded and MapStateExited both follow the last event.
      const int64_t last = f->lastEventId;
      emit(*f, "MapStateSucceeded");
      f->lastEventId = last;
      Json results = std::move(group->results);
      return completeState(f, std::move(results));
    }
    f->lastEventId = childLast;
    if (!group->launching) launchMapIterations(f);
  };
}

}  // namespace sluice::engine
