#include "services/glue/partition_expression.hpp"

#include <cctype>
#include <charconv>

namespace sluice::services::glue {

namespace {

enum class Kind { Or, And, Not, Compare, In, Between, Like };

struct Token {
  enum Type { Word, String, Number, Symbol, End } type;
  std::string text;
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool integerType(std::string_view type) {
  std::string t = upper(type);
  return t == "INT" || t == "INTEGER" || t == "BIGINT" || t == "SMALLINT" || t == "TINYINT" ||
         t == "LONG";
}

AwsError invalid(std::string why) {
  return {"InvalidInputException", "Unsupported expression: " + std::move(why), 400};
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '\'' || c == '"') {
      std::string text;
      ++i;
      while (true) {
        if (i >= s.size()) return invalid("a quoted value is not closed");
        if (s[i] == c && i + 1 < s.size() && s[i + 1] == c) {  // '' inside a string
          text += c;
          i += 2;
        } else if (s[i] == c) {
          ++i;
          break;
        } else {
          text += s[i++];
        }
      }
      out.push_back({Token::String, text});
    } else if (c == '`') {
      auto close = s.find('`', i + 1);
      if (close == std::string_view::npos) return invalid("a quoted name is not closed");
      out.push_back({Token::Word, std::string(s.substr(i + 1, close - i - 1))});
      i = close + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t start = i++;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      out.push_back({Token::Number, std::string(s.substr(start, i - start))});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      out.push_back({Token::Word, std::string(s.substr(start, i - start))});
    } else {
      for (std::string_view op : {"<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", ","}) {
        if (s.substr(i).starts_with(op)) {
          out.push_back({Token::Symbol, std::string(op)});
          i += op.size();
          goto next;
        }
      }
      return invalid("unexpected character '" + std::string(1, c) + "'");
    next:;
    }
  }
  out.push_back({Token::End, ""});
  return out;
}

}  // namespace

struct PartitionExpression::Node {
  Kind kind;
  bool negated = false;
  std::vector<std::shared_ptr<const Node>> children;
  size_t key = 0;
  bool numeric = false;
  std::string op;
  std::vector<std::string> values;
};

namespace {

using NodePtr = std::shared_ptr<const PartitionExpression::Node>;
using Node = PartitionExpression::Node;

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<PartitionKeyType>& keys)
      : t_(std::move(tokens)), keys_(keys) {}

  Result<NodePtr> parse() {
    auto e = orExpr();
    if (!e) return e;
    if (peek().type != Token::End) return invalid("unexpected '" + peek().text + "'");
    return e;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  bool keyword(const char* word) {
    if (peek().type == Token::Word && upper(peek().text) == word) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool symbol(const char* s) {
    if (peek().type == Token::Symbol && peek().text == s) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<NodePtr> orExpr() {
    auto left = andExpr();
    if (!left) return left;
    while (keyword("OR")) {
      auto right = andExpr();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = Kind::Or;
      n->children = {*left, *right};
      left = NodePtr(n);
    }
    return left;
  }
  Result<NodePtr> andExpr() {
    auto left = notExpr();
    if (!left) return left;
    while (keyword("AND")) {
      auto right = notExpr();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = Kind::And;
      n->children = {*left, *right};
      left = NodePtr(n);
    }
    return left;
  }
  Result<NodePtr> notExpr() {
    if (keyword("NOT")) {
      auto inner = notExpr();
      if (!inner) return inner;
      auto n = std::make_shared<Node>();
      n->kind = Kind::Not;
      n->children = {*inner};
      return NodePtr(n);
    }
    if (symbol("(")) {
      auto inner = orExpr();
      if (!inner) return inner;
      if (!symbol(")")) return invalid("a parenthesis is not closed");
      return inner;
    }
    return predicate();
  }
  Result<std::string> value() {
    const Token& v = peek();
    if (v.type != Token::String && v.type != Token::Number) {
      return invalid("expected a value, found '" + v.text + "'");
    }
    ++pos_;
    return v.text;
  }
  Result<NodePtr> predicate() {
    const Token& name = peek();
    if (name.type != Token::Word)
      return invalid("expected a partition key, found '" + name.text + "'");
    ++pos_;
    auto n = std::make_shared<Node>();
    bool found = false;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (upper(keys_[i].name) == upper(name.text)) {
        n->key = i;
        n->numeric = integerType(keys_[i].type);
        found = true;
      }
    }
    if (!found) return invalid("'" + name.text + "' is not a partition key");
    n->negated = keyword("NOT");
    if (keyword("IN")) {
      n->kind = Kind::In;
      if (!symbol("(")) return invalid("IN needs a parenthesised list");
      do {
        auto v = value();
        if (!v) return v.error();
        n->values.push_back(*v);
      } while (symbol(","));
      if (!symbol(")")) return invalid("the IN list is not closed");
    } else if (keyword("BETWEEN")) {
      n->kind = Kind::Between;
      auto low = value();
      if (!low) return low.error();
      if (!keyword("AND")) return invalid("BETWEEN needs AND");
      auto high = value();
      if (!high) return high.error();
      n->values = {*low, *high};
    } else if (keyword("LIKE")) {
      n->kind = Kind::Like;
      auto pattern = value();
      if (!pattern) return pattern.error();
      n->values = {*pattern};
    } else {
      if (n->negated) return invalid("NOT must come before IN, BETWEEN or LIKE");
      if (peek().type != Token::Symbol) return invalid("expected an operator after " + name.text);
      n->kind = Kind::Compare;
      n->op = peek().text;
      if (n->op == "(" || n->op == ")" || n->op == ",") return invalid("expected an operator");
      ++pos_;
      auto v = value();
      if (!v) return v.error();
      n->values = {*v};
    }
    return NodePtr(n);
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  const std::vector<PartitionKeyType>& keys_;
};

// <0, 0, >0 as `a` sorts before, with or after `b` for the key's type.
int compare(const std::string& a, const std::string& b, bool numeric) {
  if (numeric) {
    long long x = 0, y = 0;
    auto rx = std::from_chars(a.data(), a.data() + a.size(), x);
    auto ry = std::from_chars(b.data(), b.data() + b.size(), y);
    if (rx.ec == std::errc() && ry.ec == std::errc()) return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.compare(b);
}

bool like(std::string_view text, std::string_view pattern) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '%') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (like(text.substr(i), pattern.substr(1))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern[0] == '_' || pattern[0] == text[0]) return like(text.substr(1), pattern.substr(1));
  return false;
}

bool evaluate(const Node& n, const std::vector<std::string>& values) {
  switch (n.kind) {
    case Kind::Or:
      return evaluate(*n.children[0], values) || evaluate(*n.children[1], values);
    case Kind::And:
      return evaluate(*n.children[0], values) && evaluate(*n.children[1], values);
    case Kind::Not:
      return !evaluate(*n.children[0], values);
    default:
      break;
  }
  if (n.key >= values.size()) return false;
  const std::string& v = values[n.key];
  bool result = false;
  if (n.kind == Kind::Compare) {
    int c = compare(v, n.values[0], n.numeric);
    result = n.op == "="                    ? c == 0
             : n.op == "<>" || n.op == "!=" ? c != 0
             : n.op == "<"                  ? c < 0
             : n.op == "<="                 ? c <= 0
             : n.op == ">"                  ? c > 0
                                            : c >= 0;
  } else if (n.kind == Kind::In) {
    for (const auto& x : n.values) result = result || compare(v, x, n.numeric) == 0;
  } else if (n.kind == Kind::Between) {
    result = compare(v, n.values[0], n.numeric) >= 0 && compare(v, n.values[1], n.numeric) <= 0;
  } else if (n.kind == Kind::Like) {
    result = like(v, n.values[0]);
  }
  return n.negated ? !result : result;
}

}  // namespace

Result<PartitionExpression> PartitionExpression::parse(std::string_view text,
                                                       const std::vector<PartitionKeyType>& keys) {
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), keys);
  auto root = parser.parse();
  if (!root) return root.error();
  PartitionExpression e;
  e.root_ = *root;
  return e;
}

bool PartitionExpression::matches(const std::vector<std::string>& values) const {
  return root_ && evaluate(*root_, values);
}

}  // namespace sluice::services::glue
