// Internal representation of a parsed intrinsic call, shared by the parser
// (intrinsics.cpp) and the function bodies (intrinsic_functions.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/intrinsics.hpp"
#include "asl/path.hpp"

namespace sluice::asl::intrinsic {

enum class Fn {
  Format,
  StringToJson,
  JsonToString,
  Array,
  ArrayPartition,
  ArrayContains,
  ArrayRange,
  ArrayGetItem,
  ArrayLength,
  ArrayUnique,
  Base64Encode,
  Base64Decode,
  Hash,
  JsonMerge,
  MathRandom,
  MathAdd,
  StringSplit,
  UUID,
};

// What an argument must be; literals are checked at parse time, everything
// else when the call is evaluated.
enum class ArgType { Any, String, Number, Integer, Array, Object, Boolean };

struct Signature {
  std::string_view name;  // without "States."
  Fn fn;
  size_t minArgs, maxArgs;
  std::vector<ArgType> types;  // per position; the last one repeats
};

const Signature* findSignature(std::string_view name);
ArgType argType(const Signature& sig, size_t position);
bool matches(ArgType type, const Json& value);
std::string_view typeName(ArgType type);

// An evaluated argument: points into a document or a literal when it can,
// owns the value otherwise (results of nested calls, indefinite paths).
struct ArgValue {
  const Json* ptr = nullptr;
  Json owned;
  const Json& get() const { return ptr ? *ptr : owned; }
};

// Runs a function body on evaluated arguments (types already checked). On
// failure the error's cause is only the detail; the caller adds the call text.
// `formatPieces` is the pre-split template of a States.Format literal.
Outcome<Json> invoke(Fn fn, const std::vector<ArgValue>& args, const EvalEnv& env,
                     const std::vector<std::string>* formatPieces);

// Splits a runtime States.Format template around its `{}` placeholders.
std::vector<std::string> splitTemplate(std::string_view tmpl);

}  // namespace sluice::asl::intrinsic

namespace sluice::asl {

struct IntrinsicCall::Node {
  enum class Kind { Literal, Path, Call };
  Kind kind = Kind::Literal;
  Json literal;              // Literal
  std::optional<Path> path;  // Path
  // Call
  const intrinsic::Signature* sig = nullptr;
  std::vector<Node> args;
  std::string text;  // the call as written, for messages
  std::optional<std::vector<std::string>> formatPieces;
  // Literal strings: the pieces around unescaped `{}` (for States.Format).
  std::vector<std::string> literalPieces;
};

}  // namespace sluice::asl
