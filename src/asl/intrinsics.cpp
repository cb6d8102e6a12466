// Parsing and evaluation of intrinsic calls. Arity and literal argument types
// are checked when the definition is compiled (AWS rejects the definition);
// values from paths are checked when the call runs (States.IntrinsicFailure).
#include "asl/intrinsics.hpp"
#include "asl/number_literal.hpp"

#include <cctype>
#include <charconv>

#include "asl/intrinsic_ast.hpp"

namespace sluice::asl {

namespace {

using Node = IntrinsicCall::Node;
using Error = std::optional<std::string>;

constexpr std::string_view kPrefix = "States.";
constexpr int kMaxNesting = 10;  // AWS allows up to 10 nested intrinsic functions

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool identChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Error parseTop(Node& out) {
    skipSpaces();
    if (auto e = call(out, 1)) return e;
    skipSpaces();
    if (pos_ != s_.size()) return "unexpected text after the closing ')'";
    return std::nullopt;
  }

 private:
  void skipSpaces() {
    while (pos_ < s_.size() && isSpace(s_[pos_])) ++pos_;
  }

  Error call(Node& out, int depth) {
    if (depth > kMaxNesting) return "intrinsic functions can be nested at most 10 deep";
    size_t start = pos_;
    if (s_.substr(pos_, kPrefix.size()) != kPrefix) return "expected an intrinsic function";
    pos_ += kPrefix.size();
    size_t nameStart = pos_;
    while (pos_ < s_.size() && identChar(s_[pos_])) ++pos_;
    std::string_view name = s_.substr(nameStart, pos_ - nameStart);
    const auto* sig = intrinsic::findSignature(name);
    if (!sig) return "unknown intrinsic function 'States." + std::string(name) + "'";
    skipSpaces();
    if (pos_ >= s_.size() || s_[pos_] != '(')
      return "expected '(' after States." + std::string(name);
    ++pos_;
    out.kind = Node::Kind::Call;
    out.sig = sig;
    skipSpaces();
    if (pos_ < s_.size() && s_[pos_] == ')') {
      ++pos_;
    } else {
      while (true) {
        Node arg;
        if (auto e = argument(arg, depth)) return e;
        out.args.push_back(std::move(arg));
        skipSpaces();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ')') {
          ++pos_;
          break;
        }
        return "expected ',' or ')' in the arguments of States." + std::string(name);
      }
    }
    out.text = std::string(s_.substr(start, pos_ - start));
    return check(out);
  }

  Error argument(Node& out, int depth) {
    skipSpaces();
    if (pos_ >= s_.size()) return "unterminated argument list";
    char c = s_[pos_];
    if (c == '\'') return stringLiteral(out);
    if (c == '$') return pathArgument(out);
    if (s_.substr(pos_, kPrefix.size()) == kPrefix) return call(out, depth + 1);
    out.kind = Node::Kind::Literal;
    for (auto [word, value] :
         {std::pair<std::string_view, Json>{"true", true}, {"false", false}, {"null", nullptr}}) {
      if (s_.substr(pos_, word.size()) == word &&
          (pos_ + word.size() == s_.size() || !identChar(s_[pos_ + word.size()]))) {
        pos_ += word.size();
        out.literal = value;
        return std::nullopt;
      }
    }
    return number(out.literal);
  }

  // 'text' with the escapes \' \{ \} and \\; any other backslash is an error.
  Error stringLiteral(Node& out) {
    ++pos_;
    std::string value, piece;
    while (true) {
      if (pos_ >= s_.size()) return "unterminated string literal";
      char c = s_[pos_++];
      if (c == '\'') break;
      if (c == '\\') {
        if (pos_ >= s_.size()) return "unterminated escape sequence";
        char e = s_[pos_++];
        if (e != '\'' && e != '{' && e != '}' && e != '\\')
          return "invalid escape sequence '\\" + std::string(1, e) + "'";
        value += e;
        piece += e;
        continue;
      }
      if (c == '{' && pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        value += "{}";
        out.literalPieces.push_back(std::move(piece));
        piece.clear();
        continue;
      }
      value += c;
      piece += c;
    }
    out.literalPieces.push_back(std::move(piece));
    out.kind = Node::Kind::Literal;
    out.literal = json::string(value);
    return std::nullopt;
  }

  // A path runs up to the next ',' or ')' outside brackets, quotes and filters.
  Error pathArgument(Node& out) {
    size_t start = pos_;
    int depth = 0;
    char quote = 0;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (quote) {
        if (c == '\\')
          ++pos_;
        else if (c == quote)
          quote = 0;
        continue;
      }
      if (c == '\'' || c == '"')
        quote = c;
      else if (c == '[' || c == '(')
        ++depth;
      else if (c == ']' || (c == ')' && depth > 0))
        --depth;
      else if (depth == 0 && (c == ',' || c == ')'))
        break;
    }
    std::string_view text = s_.substr(start, pos_ - start);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    auto path = Path::parse(text);
    if (!path) return "invalid path argument '" + std::string(text) + "'";
    out.kind = Node::Kind::Path;
    out.path = std::move(path).value();
    return std::nullopt;
  }

  Error number(Json& out) {
    switch (scanNumberLiteral(s_, pos_, true, out)) {
      case NumberScan::Ok:
        return std::nullopt;
      case NumberScan::Empty:
        return "unexpected argument";
      case NumberScan::Invalid:
        break;
    }
    return "invalid number argument";
  }

  // Arity and literal types, as AWS validates them with the definition.
  static Error check(Node& call) {
    const auto& sig = *call.sig;
    std::string fname = "States." + std::string(sig.name);
    size_t n = call.args.size();
    if (n < sig.minArgs || n > sig.maxArgs) {
      return "wrong number of arguments for " + fname + ": " + std::to_string(n);
    }
    for (size_t i = 0; i < n; ++i) {
      const Node& a = call.args[i];
      auto type = intrinsic::argType(sig, i);
      if (a.kind == Node::Kind::Literal && !intrinsic::matches(type, a.literal)) {
        return "argument " + std::to_string(i + 1) + " of " + fname + " must be " +
               std::string(intrinsic::typeName(type));
      }
    }
    if (sig.fn == intrinsic::Fn::Format && call.args[0].kind == Node::Kind::Literal) {
      const auto& pieces = call.args[0].literalPieces;
      if (pieces.size() != n) {
        return "the number of arguments of " + fname + " does not match its placeholders";
      }
      call.formatPieces = pieces;
    }
    if (sig.fn == intrinsic::Fn::JsonMerge && call.args[2].kind == Node::Kind::Literal &&
        call.args[2].literal.as_bool()) {
      return "States.JsonMerge only supports a shallow merge (false)";
    }
    return std::nullopt;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

StatesError functionError(const Node& call, std::string_view detail, const char* error) {
  return StatesError{
      error, "The function '" + call.text + "' had the following error: " + std::string(detail)};
}

Outcome<Json> evalNode(const Node& node, const EvalEnv& env);

// Evaluates an argument, pointing into the document when possible.
std::optional<StatesError> evalArg(const Node& call, const Node& arg, const EvalEnv& env,
                                   intrinsic::ArgValue& out) {
  switch (arg.kind) {
    case Node::Kind::Literal:
      out.ptr = &arg.literal;
      return std::nullopt;
    case Node::Kind::Call: {
      auto v = evalNode(arg, env);
      if (!v) return v.takeError();
      out.owned = std::move(v).value();
      return std::nullopt;
    }
    case Node::Kind::Path: {
      const Path& p = *arg.path;
      if (p.isReferencePath()) {
        out.ptr = p.find(env);
      } else if (auto v = p.select(env)) {
        out.owned = std::move(*v);
        return std::nullopt;
      }
      if (out.ptr) return std::nullopt;
      const Json* doc = p.document(env);
      return functionError(call,
                           "The JsonPath argument for the field '" + p.text() +
                               "' could not be found in the input '" +
                               (doc ? toJsonText(*doc) : std::string("null")) + "'",
                           errors::kRuntime);
    }
  }
  return std::nullopt;
}

Outcome<Json> evalNode(const Node& node, const EvalEnv& env) {
  if (node.kind == Node::Kind::Literal) return node.literal;
  std::vector<intrinsic::ArgValue> args(node.args.size());
  for (size_t i = 0; i < node.args.size(); ++i) {
    if (auto err = evalArg(node, node.args[i], env, args[i])) return std::move(*err);
    auto type = intrinsic::argType(*node.sig, i);
    if (!intrinsic::matches(type, args[i].get())) {
      return functionError(node,
                           "The argument at position " + std::to_string(i + 1) + " must be " +
                               std::string(intrinsic::typeName(type)) + " but was " +
                               std::string(jsonTypeName(args[i].get())) + ".",
                           errors::kIntrinsicFailure);
    }
  }
  const auto* pieces = node.formatPieces ? &*node.formatPieces : nullptr;
  auto result = intrinsic::invoke(node.sig->fn, args, env, pieces);
  if (!result) {
    StatesError e = result.takeError();
    return functionError(node, e.cause, e.error.c_str());
  }
  return result;
}

}  // namespace

bool IntrinsicCall::looksLikeCall(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  if (text.substr(0, kPrefix.size()) != kPrefix) return false;
  size_t i = kPrefix.size();
  while (i < text.size() && identChar(text[i])) ++i;
  return i > kPrefix.size() && text.find('(', i) != std::string_view::npos;
}

Result<IntrinsicCall> IntrinsicCall::parse(std::string_view text) {
  auto root = std::make_shared<Node>();
  if (auto err = Parser(text).parseTop(*root)) {
    return AwsError::validation("Invalid intrinsic function call '" + std::string(text) +
                                "': " + *err);
  }
  return IntrinsicCall(std::move(root), std::string(text));
}

IntrinsicCall::IntrinsicCall(std::shared_ptr<const Node> root, std::string text)
    : root_(std::move(root)), text_(std::move(text)) {}

Outcome<Json> IntrinsicCall::evaluate(const EvalEnv& env) const {
  return evalNode(*root_, env);
}

const std::string& IntrinsicCall::text() const {
  return text_;
}

}  // namespace sluice::asl
