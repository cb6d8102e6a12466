#include "asl/jsonata_stepfunctions.hpp"

#include <cmath>

#include "core/digest.hpp"

namespace sluice::asl {

namespace {

[[noreturn]] void fail(std::string_view function, std::string message) {
  throw jsonata::Error{"D3137", -1, std::string(function), std::move(message)};
}

const Json& required(jsonata::FunctionArgs args, size_t i, std::string_view function) {
  if (args.size() <= i || !args[i]) {
    fail(function,
         "$" + std::string(function) + ": argument " + std::to_string(i + 1) + " is required");
  }
  return *args[i];
}

long long integerArg(jsonata::FunctionArgs args, size_t i, std::string_view function) {
  const Json& v = required(args, i, function);
  auto n = isNumber(v) ? toInteger(v) : std::nullopt;
  if (!n)
    fail(function, "$" + std::string(function) + ": argument " + std::to_string(i + 1) +
                       " must be an integer");
  return *n;
}

// java.util.Random(seed).nextDouble(): a seeded $random is reproducible.
double javaNextDouble(long long seed) {
  constexpr uint64_t kMult = 0x5DEECE66DULL, kMask = (1ULL << 48) - 1;
  uint64_t s = (static_cast<uint64_t>(seed) ^ kMult) & kMask;
  auto next = [&](int bits) {
    s = (s * kMult + 0xB) & kMask;
    return static_cast<int64_t>(s >> (48 - bits));
  };
  int64_t hi = next(26), lo = next(27);
  return static_cast<double>((hi << 27) + lo) * 0x1.0p-53;
}

// A one-element result reads as that element, as AWS's results show.
Json unwrapSingleton(JsonArray a) {
  if (a.size() == 1) return std::move(a[0]);
  return Json(std::move(a));
}

}  // namespace

void addStepFunctionsFunctions(jsonata::Bindings& bindings, IdGenerator& ids) {
  bindings.setFunction("partition", [](jsonata::FunctionArgs args) -> std::optional<Json> {
    const Json& array = required(args, 0, "partition");
    long long size = integerArg(args, 1, "partition");
    if (!array.is_array()) fail("partition", "$partition: the first argument must be an array");
    if (size <= 0) fail("partition", "$partition: the chunk size must be a positive integer");
    JsonArray out, chunk;
    for (const auto& e : array.as_array()) {
      chunk.push_back(e);
      if (static_cast<long long>(chunk.size()) == size) {
        out.push_back(std::move(chunk));
        chunk = JsonArray{};
      }
    }
    if (!chunk.empty()) out.push_back(std::move(chunk));
    return Json(std::move(out));
  });
  bindings.setFunction("range", [](jsonata::FunctionArgs args) -> std::optional<Json> {
    long long start = integerArg(args, 0, "range");
    long long end = integerArg(args, 1, "range");
    long long step = integerArg(args, 2, "range");
    if (step == 0) fail("range", "$range: the step must not be 0");
    JsonArray out;
    for (long long v = start; step > 0 ? v <= end : v >= end; v += step) {
      out.push_back(v);
      if (out.size() > 1000) fail("range", "$range: at most 1000 elements can be generated");
    }
    return unwrapSingleton(std::move(out));
  });
  bindings.setFunction("hash", [](jsonata::FunctionArgs args) -> std::optional<Json> {
    const Json& data = required(args, 0, "hash");
    const Json& algorithm = required(args, 1, "hash");
    if (!data.is_string() || !algorithm.is_string()) {
      fail("hash", "$hash: both arguments must be strings");
    }
    auto digest = hexDigest(algorithm.get_string(), data.get_string());
    if (!digest) {
      fail("hash", "$hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
    }
    return Json(*digest);
  });
  bindings.setFunction("random", [&ids](jsonata::FunctionArgs args) -> std::optional<Json> {
    if (!args.empty() && args[0]) return Json(javaNextDouble(integerArg(args, 0, "random")));
    return Json(ids.unit());
  });
  bindings.setFunction(
      "uuid", [&ids](jsonata::FunctionArgs) -> std::optional<Json> { return Json(ids.uuid()); });
  bindings.setFunction("parse", [](jsonata::FunctionArgs args) -> std::optional<Json> {
    const Json& text = required(args, 0, "parse");
    if (!text.is_string()) fail("parse", "$parse: the argument must be a string");
    std::string err;
    auto v = parseJson(text.get_string(), &err);
    if (!v) fail("parse", "$parse: the argument is not valid JSON: " + err);
    return *v;
  });
}

}  // namespace sluice::asl
