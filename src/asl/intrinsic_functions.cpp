// Bodies of the States.* intrinsic functions. Arguments arrive evaluated and
// type-checked against the signature table below; failures carry only the
// detail, the caller names the call.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_set>

#include "asl/intrinsic_ast.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"

namespace sluice::asl::intrinsic {

namespace {

constexpr size_t kUnbounded = static_cast<size_t>(-1);
constexpr size_t kMaxArrayRange = 1000;      // AWS: ArrayRange returns at most 1000 items
constexpr size_t kMaxEncodingInput = 10000;  // AWS: Base64 and Hash inputs, in characters

using T = ArgType;

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> table = {
      {"Format", Fn::Format, 1, kUnbounded, {T::String, T::Any}},
      {"StringToJson", Fn::StringToJson, 1, 1, {T::String}},
      {"JsonToString", Fn::JsonToString, 1, 1, {T::Any}},
      {"Array", Fn::Array, 0, kUnbounded, {T::Any}},
      {"ArrayPartition", Fn::ArrayPartition, 2, 2, {T::Array, T::Integer}},
      {"ArrayContains", Fn::ArrayContains, 2, 2, {T::Array, T::Any}},
      {"ArrayRange", Fn::ArrayRange, 3, 3, {T::Integer}},
      {"ArrayGetItem", Fn::ArrayGetItem, 2, 2, {T::Array, T::Integer}},
      {"ArrayLength", Fn::ArrayLength, 1, 1, {T::Array}},
      {"ArrayUnique", Fn::ArrayUnique, 1, 1, {T::Array}},
      {"Base64Encode", Fn::Base64Encode, 1, 1, {T::String}},
      {"Base64Decode", Fn::Base64Decode, 1, 1, {T::String}},
      {"Hash", Fn::Hash, 2, 2, {T::String}},
      {"JsonMerge", Fn::JsonMerge, 3, 3, {T::Object, T::Object, T::Boolean}},
      {"MathRandom", Fn::MathRandom, 2, 3, {T::Number, T::Number, T::Integer}},
      {"MathAdd", Fn::MathAdd, 2, 2, {T::Number}},
      {"StringSplit", Fn::StringSplit, 2, 2, {T::String}},
      {"UUID", Fn::UUID, 0, 0, {T::Any}},
  };
  return table;
}

StatesError failure(std::string detail) {
  return StatesError{errors::kIntrinsicFailure, std::move(detail)};
}

size_t utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Java's Math.round, which AWS applies to non-integer numbers.
long long roundHalfUp(const Json& v) {
  if (auto i = toInteger(v)) return *i;
  return static_cast<long long>(std::floor(toDouble(v) + 0.5));
}

// ---- States.Format ----

// Values are rendered the way Java prints them: strings raw, objects as
// {key=value, ...}, arrays as [a, b], other scalars as JSON.
void appendFormatted(std::string& out, const Json& v) {
  if (v.is_string()) {
    out += v.get_string();
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ", ";
      first = false;
      appendFormatted(out, e);
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& kv : v.get_object()) {
      if (!first) out += ", ";
      first = false;
      out += kv.key();
      out += '=';
      appendFormatted(out, kv.value());
    }
    out += '}';
  } else {
    appendJsonText(out, v);
  }
}

Outcome<Json> format(const std::vector<ArgValue>& args, const std::vector<std::string>* pieces) {
  std::vector<std::string> runtime;
  if (!pieces) {
    runtime = splitTemplate(args[0].get().get_string());
    pieces = &runtime;
  }
  if (pieces->size() != args.size()) {
    return failure("The number of arguments does not match the number of placeholders '{}'.");
  }
  std::string out = (*pieces)[0];
  for (size_t i = 1; i < args.size(); ++i) {
    appendFormatted(out, args[i].get());
    out += (*pieces)[i];
  }
  return Json(json::string(out));
}

// ---- arrays ----

// A key equal for values jsonEquals treats as equal (1 and 1.0, any key order).
void canonical(std::string& out, const Json& v) {
  if (isNumber(v)) {
    if (auto i = toInteger(v)) {
      out += std::to_string(*i);
      return;
    }
  }
  if (v.is_object()) {
    std::vector<const json::key_value_pair*> kvs;
    for (const auto& kv : v.get_object()) kvs.push_back(&kv);
    std::sort(kvs.begin(), kvs.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
    out += '{';
    for (auto* kv : kvs) {
      appendJsonText(out, Json(kv->key()));
      out += ':';
      canonical(out, kv->value());
      out += ',';
    }
    out += '}';
    return;
  }
  if (v.is_array()) {
    out += '[';
    for (const auto& e : v.get_array()) {
      canonical(out, e);
      out += ',';
    }
    out += ']';
    return;
  }
  appendJsonText(out, v);
}

Outcome<Json> arrayUnique(const json::array& arr) {
  std::unordered_set<std::string> seen;
  json::array out;
  std::string key;
  for (const auto& e : arr) {
    key.clear();
    canonical(key, e);
    if (seen.insert(key).second) out.push_back(e);
  }
  return Json(std::move(out));
}

Outcome<Json> arrayPartition(const json::array& arr, long long size) {
  if (size <= 0) return failure("The chunk size must be a positive integer.");
  json::array out;
  for (size_t i = 0; i < arr.size(); i += static_cast<size_t>(size)) {
    size_t end = std::min(arr.size(), i + static_cast<size_t>(size));
    out.push_back(json::array(arr.begin() + static_cast<std::ptrdiff_t>(i),
                              arr.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return Json(std::move(out));
}

Outcome<Json> arrayRange(long long start, long long end, long long step) {
  if (step == 0) return failure("The step value must not be zero.");
  json::array out;
  if ((step > 0 && start > end) || (step < 0 && start < end)) return Json(std::move(out));
  unsigned long long count = static_cast<unsigned long long>((end - start) / step) + 1;
  if (count > kMaxArrayRange) {
    return failure("The array cannot contain more than 1000 items.");
  }
  for (long long v = start; step > 0 ? v <= end : v >= end; v += step) out.push_back(v);
  return Json(std::move(out));
}

// ---- encodings ----

Outcome<Json> hash(std::string_view data, std::string_view algorithm) {
  auto digest = hexDigest(algorithm, data);
  if (!digest) {
    return failure("The hash algorithm '" + std::string(algorithm) +
                   "' is not supported. Use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512.");
  }
  return Json(json::string(*digest));
}

// ---- math ----

// java.util.Random(seed).nextInt(bound): a seeded States.MathRandom is
// deterministic, and this is the generator a Java service would use.
int32_t javaNextInt(long long seed, int32_t bound) {
  constexpr uint64_t kMult = 0x5DEECE66DULL, kMask = (1ULL << 48) - 1;
  uint64_t state = (static_cast<uint64_t>(seed) ^ kMult) & kMask;
  auto next31 = [&] {
    state = (state * kMult + 0xBULL) & kMask;
    return static_cast<int32_t>(state >> 17);
  };
  int32_t r = next31();
  int32_t m = bound - 1;
  if ((bound & m) == 0) return static_cast<int32_t>((static_cast<int64_t>(bound) * r) >> 31);
  for (int32_t u = r; static_cast<int64_t>(u) - (r = u % bound) + m > INT32_MAX; u = next31()) {
  }
  return r;
}

Outcome<Json> mathRandom(const std::vector<ArgValue>& args, const EvalEnv& env) {
  long long start = roundHalfUp(args[0].get()), end = roundHalfUp(args[1].get());
  if (start > end) return failure("The start value must not be greater than the end value.");
  if (start < INT32_MIN || end > INT32_MAX) {
    return failure("The start and end values must be 32-bit integers.");
  }
  if (args.size() == 3) {
    long long span = end - start + 1;
    if (span > INT32_MAX) return failure("The range between start and end is too large.");
    long long seed = *toInteger(args[2].get());
    return Json(start + javaNextInt(seed, static_cast<int32_t>(span)));
  }
  if (!env.ids) return StatesError{errors::kRuntime, "No source of randomness is available."};
  return Json(static_cast<long long>(env.ids->uniform(start, end)));
}

Outcome<Json> stringSplit(std::string_view s, std::string_view delimiters) {
  json::array out;
  size_t start = 0;
  // Every character of the second argument is a delimiter; empty parts go.
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || delimiters.find(s[i]) != std::string_view::npos) {
      if (i > start) out.push_back(json::string(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return Json(std::move(out));
}

}  // namespace

const Signature* findSignature(std::string_view name) {
  for (const auto& s : signatures()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

ArgType argType(const Signature& sig, size_t position) {
  if (sig.types.empty()) return ArgType::Any;
  return sig.types[std::min(position, sig.types.size() - 1)];
}

bool matches(ArgType type, const Json& v) {
  switch (type) {
    case ArgType::Any:
      return true;
    case ArgType::String:
      return v.is_string();
    case ArgType::Number:
      return isNumber(v);
    case ArgType::Integer:
      return toInteger(v).has_value();
    case ArgType::Array:
      return v.is_array();
    case ArgType::Object:
      return v.is_object();
    case ArgType::Boolean:
      return v.is_bool();
  }
  return false;
}

std::string_view typeName(ArgType type) {
  switch (type) {
    case ArgType::Any:
      return "any value";
    case ArgType::String:
      return "a string";
    case ArgType::Number:
      return "a number";
    case ArgType::Integer:
      return "an integer";
    case ArgType::Array:
      return "an array";
    case ArgType::Object:
      return "an object";
    case ArgType::Boolean:
      return "a boolean";
  }
  return "";
}

std::vector<std::string> splitTemplate(std::string_view tmpl) {
  std::vector<std::string> pieces;
  size_t start = 0;
  for (size_t p = tmpl.find("{}"); p != std::string_view::npos; p = tmpl.find("{}", start)) {
    pieces.emplace_back(tmpl.substr(start, p - start));
    start = p + 2;
  }
  pieces.emplace_back(tmpl.substr(start));
  return pieces;
}

Outcome<Json> invoke(Fn fn, const std::vector<ArgValue>& args, const EvalEnv& env,
                     const std::vector<std::string>* formatPieces) {
  auto arg = [&](size_t i) -> const Json& { return args[i].get(); };
  auto str = [&](size_t i) -> std::string_view { return arg(i).get_string(); };
  switch (fn) {
    case Fn::Format:
      return format(args, formatPieces);
    case Fn::StringToJson: {
      std::string_view s = str(0);
      if (s.find_first_not_of(" \t\r\n") == std::string_view::npos) return Json(nullptr);
      std::string error;
      auto parsed = parseJson(s, &error);
      if (!parsed) return failure("The string is not valid JSON: " + error);
      return std::move(*parsed);
    }
    case Fn::JsonToString:
      return Json(json::string(toJsonText(arg(0))));
    case Fn::Array: {
      json::array out;
      out.reserve(args.size());
      for (const auto& a : args) out.push_back(a.get());
      return Json(std::move(out));
    }
    case Fn::ArrayPartition:
      return arrayPartition(arg(0).get_array(), *toInteger(arg(1)));
    case Fn::ArrayContains: {
      for (const auto& e : arg(0).get_array()) {
        if (jsonEquals(e, arg(1))) return Json(true);
      }
      return Json(false);
    }
    case Fn::ArrayRange:
      return arrayRange(*toInteger(arg(0)), *toInteger(arg(1)), *toInteger(arg(2)));
    case Fn::ArrayGetItem: {
      const auto& arr = arg(0).get_array();
      long long idx = *toInteger(arg(1));
      if (idx < 0 || static_cast<size_t>(idx) >= arr.size()) {
        return failure("The index " + std::to_string(idx) + " is out of bounds for an array of " +
                       std::to_string(arr.size()) + " items.");
      }
      return arr[static_cast<size_t>(idx)];
    }
    case Fn::ArrayLength:
      return Json(static_cast<long long>(arg(0).get_array().size()));
    case Fn::ArrayUnique:
      return arrayUnique(arg(0).get_array());
    case Fn::Base64Encode:
      if (utf8Length(str(0)) > kMaxEncodingInput) {
        return failure("The input must not exceed 10000 characters.");
      }
      return Json(json::string(base64Encode(str(0))));
    case Fn::Base64Decode: {
      if (utf8Length(str(0)) > kMaxEncodingInput) {
        return failure("The input must not exceed 10000 characters.");
      }
      auto decoded = base64Decode(str(0));
      if (!decoded) return failure("The input is not a valid Base64 string.");
      return Json(json::string(*decoded));
    }
    case Fn::Hash:
      if (utf8Length(str(0)) > kMaxEncodingInput) {
        return failure("The input must not exceed 10000 characters.");
      }
      return hash(str(0), str(1));
    case Fn::JsonMerge: {
      if (arg(2).get_bool()) return failure("Only a shallow merge (false) is supported.");
      json::object out = arg(0).get_object();
      for (const auto& kv : arg(1).get_object()) out[kv.key()] = kv.value();
      return Json(std::move(out));
    }
    case Fn::MathRandom:
      return mathRandom(args, env);
    case Fn::MathAdd:
      return Json(roundHalfUp(arg(0)) + roundHalfUp(arg(1)));
    case Fn::StringSplit:
      return stringSplit(str(0), str(1));
    case Fn::UUID:
      if (!env.ids) return StatesError{errors::kRuntime, "No source of randomness is available."};
      return Json(json::string(env.ids->uuid()));
  }
  return failure("Unknown function.");
}

}  // namespace sluice::asl::intrinsic
