// The Wait state: a timer on the loop, never a sleeping thread.
#include "asl/timestamp.hpp"
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

namespace {
// Standard executions last at most a year; Step Functions refuses longer waits.
constexpr double kMaxWaitSeconds = 365.0 * 24 * 3600;
}  // namespace

// Seconds / Timestamp given as JSONata expressions.
asl::Outcome<TimePoint> Execution::jsonataWaitUntil(Frame& f, const asl::WaitSpec& spec,
                                                    TimePoint now) {
  const asl::JsonataTemplate& expression =
      spec.secondsExpression ? *spec.secondsExpression : *spec.timestampExpression;
  auto v = evaluateJsonata(f, expression, jsonataEnv(f, f.rawInput));
  if (!v) return v.takeError();
  if (spec.timestampExpression) {
    auto t = v->is_string() ? asl::parseTimestamp(v->get_string()) : std::nullopt;
    if (!t) {
      std::string shown = v->is_string() ? std::string(v->get_string()) : toJsonText(*v);
      return withStatePrefix(
          f, asl::queryEvaluationError("The Timestamp field cannot be parsed as an ISO-8601 "
                                       "extended offset date-time format string: " +
                                           shown,
                                       "Timestamp"));
    }
    return *t;
  }
  auto n = isNumber(*v) ? toInteger(*v) : std::nullopt;
  if (!n) return withStatePrefix(f, expression.unexpectedType(*v, "integer"));
  if (*n < 0) {
    return withStatePrefix(
        f, asl::queryEvaluationError(
               "The Seconds field references a negative value: " + std::to_string(*n), "Seconds"));
  }
  if (static_cast<double>(*n) > kMaxWaitSeconds) {
    return withStatePrefix(f,
                           asl::queryEvaluationError("Wait state delay is too long.", "Seconds"));
  }
  return now + Duration(*n * 1000000LL);
}

void Execution::runWait(const FramePtr& f) {
  const asl::State& s = f->state();
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return failState(f, input.takeError());
  const auto& spec = s.as<asl::WaitSpec>();
  TimePoint now = ctx_.loop.now();
  TimePoint until = now;

  if (spec.secondsExpression || spec.timestampExpression) {
    auto t = jsonataWaitUntil(*f, spec, now);
    if (!t) return failState(f, t.takeError());
    until = *t;
  } else if (spec.seconds) {
    until = now + Duration(static_cast<int64_t>(*spec.seconds * 1e6));
  } else if (spec.timestamp) {
    auto t = asl::parseTimestamp(*spec.timestamp);
    if (!t) {
      return failState(f, runtimeError(*f,
                                       "The Timestamp field cannot be parsed as an ISO-8601 "
                                       "extended offset date-time format string: " +
                                           *spec.timestamp));
    }
    until = *t;
  } else if (spec.secondsPath || spec.timestampPath) {
    const asl::Path& path = spec.secondsPath ? *spec.secondsPath : *spec.timestampPath;
    const char* field = spec.secondsPath ? "SecondsPath" : "TimestampPath";
    auto v = path.select(envFor(*f, **input));
    if (!v) {
      return failState(
          f,
          runtimeError(*f, "The JSONPath '" + path.text() + "' specified for the field '" + field +
                               "' could not be found in the input '" + toJsonText(**input) + "'"));
    }
    std::string shown =
        path.text() + " == " + (v->is_string() ? std::string(v->get_string()) : toJsonText(*v));
    if (spec.secondsPath) {
      auto n = isNumber(*v) ? toInteger(*v) : std::nullopt;
      if (!n) {
        return failState(
            f, runtimeError(
                   *f, "The SecondsPath parameter cannot be parsed as a long value: " + shown));
      }
      if (*n < 0) {
        return failState(
            f, runtimeError(*f, "The SecondsPath parameter references a negative value: " + shown));
      }
      if (static_cast<double>(*n) > kMaxWaitSeconds) {
        return failState(f, runtimeError(*f, "Wait state delay is too long."));
      }
      until = now + Duration(*n * 1000000LL);
    } else {
      auto t = v->is_string() ? asl::parseTimestamp(v->get_string()) : std::nullopt;
      if (!t) {
        return failState(
            f, runtimeError(*f,
                            "The TimestampPath parameter does not reference a valid ISO-8601 "
                            "extended offset date-time format string: " +
                                shown));
      }
      until = *t;
    }
  }
  if (toEpochSeconds(until) - toEpochSeconds(now) > kMaxWaitSeconds) {
    return failState(f, runtimeError(*f, "Wait state delay is too long."));
  }

  Json in = takeInput(*f, *input, false);
  if (until <= now) return finishWait(f, std::move(in));
  armWait(f, until, std::move(in));
}

void Execution::armWait(const FramePtr& f, TimePoint until, Json effectiveInput) {
  // A tested Wait state does not wait.
  if (single_) return finishWait(f, std::move(effectiveInput));
  auto self = shared_from_this();
  uint64_t gen = f->generation;
  f->waitUntil = until;
  // Kept in the frame, not the timer: a checkpoint records it.
  f->waitInput = std::move(effectiveInput);
  f->timer = ctx_.loop.schedule(until, [this, self, f, gen] {
    f->timer = 0;
    if (f->generation != gen || f->finished || done()) return;
    finishWait(f, std::move(f->waitInput));
  });
}

void Execution::finishWait(const FramePtr& f, Json effectiveInput) {
  if (f->state().isJsonata()) {
    f->rawInput = std::move(effectiveInput);
    return completeJsonata(f, f->state().jsonata, nullptr);
  }
  // Assign sees the state's effective input (after InputPath), as in Pass.
  const asl::State& s = f->state();
  std::optional<JsonObject> assigned;
  if (s.assign) {
    auto a = evaluateAssign(*f, *s.assign, effectiveInput);
    if (!a) return failState(f, withStatePrefix(*f, a.takeError()));
    assigned = std::move(a.value());
  }
  auto output = applyOutputPath(*f, s.outputPath, std::move(effectiveInput));
  if (!output) return failState(f, output.takeError());
  exitState(f, std::move(output.value()), assigned ? &*assigned : nullptr);
}

}  // namespace sluice::engine
