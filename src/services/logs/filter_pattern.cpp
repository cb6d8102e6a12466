#include "services/logs/filter_pattern.hpp"

#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

#include "core/json.hpp"
#include "services/logs/delimited_pattern.hpp"
#include "services/logs/regex_pattern.hpp"

namespace sluice::services::logs {

namespace {

AwsError invalidPattern(std::string_view detail) {
  return {"InvalidParameterException", "Invalid filter pattern: " + std::string(detail), 400};
}

// One step of a JSON selector: a member name or an array index.
struct Step {
  std::string member;
  long index = -1;
};

enum class Op { Eq, Ne, Lt, Gt, Le, Ge, IsNull, NotExists, IsTrue, IsFalse };

struct Comparison {
  std::vector<Step> path;
  Op op = Op::Eq;
  std::string value;  // as written, unquoted
  bool quoted = false;
  std::optional<double> number;
  std::optional<RegexPattern> regex;  // value written as %...%
};

}  // namespace

struct FilterPattern::Node {
  enum class Kind { Terms, And, Or, Compare, Delimited, Regex } kind = Kind::Terms;
  // Terms
  std::vector<std::string> required, excluded, optional;
  // And / Or
  std::shared_ptr<const Node> left, right;
  // Compare
  Comparison cmp;
  // Delimited
  std::optional<DelimitedPattern> delimited;
  // Regex (a whole pattern %...%)
  std::optional<RegexPattern> regex;
};

namespace {

using Node = FilterPattern::Node;
using NodePtr = std::shared_ptr<const Node>;

// --- unstructured terms -----------------------------------------------------

Result<NodePtr> parseTerms(std::string_view s) {
  auto node = std::make_shared<Node>();
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    char sign = 0;
    if (s[i] == '-' || s[i] == '?') sign = s[i++];
    std::string term;
    if (i < s.size() && s[i] == '"') {
      size_t end = s.find('"', i + 1);
      if (end == std::string_view::npos) return invalidPattern("unterminated quoted term");
      term = std::string(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t start = i;
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      term = std::string(s.substr(start, i - start));
    }
    if (term.empty()) {
      if (sign) return invalidPattern("empty term");
      continue;
    }
    (sign == '-'   ? node->excluded
     : sign == '?' ? node->optional
                   : node->required)
        .push_back(std::move(term));
  }
  return NodePtr(node);
}

bool matchTerms(const Node& n, std::string_view message) {
  for (const auto& t : n.required) {
    if (message.find(t) == std::string_view::npos) return false;
  }
  for (const auto& t : n.excluded) {
    if (message.find(t) != std::string_view::npos) return false;
  }
  if (n.optional.empty()) return true;
  for (const auto& t : n.optional) {
    if (message.find(t) != std::string_view::npos) return true;
  }
  return false;
}

// --- JSON patterns ------------------------------------------------------------

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  Result<NodePtr> parse() {
    auto n = parseOr();
    if (!n) return n;
    skipSpace();
    if (pos_ != s_.size())
      return invalidPattern("unexpected '" + std::string(s_.substr(pos_)) + "'");
    return n;
  }

 private:
  void skipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(std::string_view tok) {
    skipSpace();
    if (s_.substr(pos_).starts_with(tok)) {
      pos_ += tok.size();
      return true;
    }
    return false;
  }
  bool eatWord(std::string_view word) {
    skipSpace();
    if (s_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(s_[pos_ + i])) != word[i]) return false;
    }
    size_t end = pos_ + word.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) {
      return false;
    }
    pos_ = end;
    return true;
  }

  Result<NodePtr> parseOr() {
    auto left = parseAnd();
    if (!left) return left;
    while (eat("||")) {
      auto right = parseAnd();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::Or;
      n->left = *left;
      n->right = *right;
      left = NodePtr(n);
    }
    return left;
  }

  Result<NodePtr> parseAnd() {
    auto left = parsePrimary();
    if (!left) return left;
    while (eat("&&")) {
      auto right = parsePrimary();
      if (!right) return right;
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::And;
      n->left = *left;
      n->right = *right;
      left = NodePtr(n);
    }
    return left;
  }

  Result<NodePtr> parsePrimary() {
    if (eat("(")) {
      auto inner = parseOr();
      if (!inner) return inner;
      if (!eat(")")) return invalidPattern("missing ')'");
      return inner;
    }
    return parseComparison();
  }

  Result<NodePtr> parseComparison() {
    skipSpace();
    if (!eat("$")) return invalidPattern("a JSON selector must start with '$'");
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::Compare;
    Comparison& c = n->cmp;
    while (pos_ < s_.size()) {
      if (s_[pos_] == '.') {
        size_t start = ++pos_;
        while (pos_ < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                s_[pos_] == '-' || s_[pos_] == '@' || s_[pos_] == ':')) {
          ++pos_;
        }
        if (pos_ == start) return invalidPattern("empty member name in selector");
        c.path.push_back({std::string(s_.substr(start, pos_ - start)), -1});
      } else if (s_[pos_] == '[') {
        size_t end = s_.find(']', pos_);
        if (end == std::string_view::npos) return invalidPattern("missing ']'");
        std::string digits(s_.substr(pos_ + 1, end - pos_ - 1));
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
          return invalidPattern("array index must be a number");
        }
        c.path.push_back({"", std::stol(digits)});
        pos_ = end + 1;
      } else {
        break;
      }
    }
    if (c.path.empty()) return invalidPattern("empty selector");
    if (eatWord("IS")) {
      if (eatWord("NULL"))
        c.op = Op::IsNull;
      else if (eatWord("TRUE"))
        c.op = Op::IsTrue;
      else if (eatWord("FALSE"))
        c.op = Op::IsFalse;
      else
        return invalidPattern("expected NULL, TRUE or FALSE after IS");
      return NodePtr(n);
    }
    if (eatWord("NOT")) {
      if (!eatWord("EXISTS")) return invalidPattern("expected EXISTS after NOT");
      c.op = Op::NotExists;
      return NodePtr(n);
    }
    if (eat("!="))
      c.op = Op::Ne;
    else if (eat("<="))
      c.op = Op::Le;
    else if (eat(">="))
      c.op = Op::Ge;
    else if (eat("="))
      c.op = Op::Eq;
    else if (eat("<"))
      c.op = Op::Lt;
    else if (eat(">"))
      c.op = Op::Gt;
    else
      return invalidPattern("expected a comparison operator");
    skipSpace();
    if (pos_ < s_.size() && s_[pos_] == '%') {
      size_t end = s_.find('%', pos_ + 1);
      if (end == std::string_view::npos) return invalidPattern("unterminated regex");
      if (c.op != Op::Eq && c.op != Op::Ne) return invalidPattern("a regex needs = or !=");
      if (++regexes_ > RegexPattern::kMaxPerPattern) {
        return invalidPattern("at most 2 regular expressions in one pattern");
      }
      auto regex = RegexPattern::compile(s_.substr(pos_ + 1, end - pos_ - 1));
      if (!regex) return regex.error();
      c.regex = std::move(*regex);
      pos_ = end + 1;
      return NodePtr(n);
    }
    if (pos_ < s_.size() && s_[pos_] == '"') {
      size_t end = s_.find('"', pos_ + 1);
      if (end == std::string_view::npos) return invalidPattern("unterminated string");
      c.value = std::string(s_.substr(pos_ + 1, end - pos_ - 1));
      c.quoted = true;
      pos_ = end + 1;
    } else {
      size_t start = pos_;
      while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
             s_[pos_] != ')' && s_[pos_] != '&' && s_[pos_] != '|') {
        ++pos_;
      }
      c.value = std::string(s_.substr(start, pos_ - start));
      if (c.value.empty()) return invalidPattern("missing value");
    }
    if (!c.quoted) {
      char* end = nullptr;
      double d = std::strtod(c.value.c_str(), &end);
      if (end && *end == '\0' && std::isfinite(d)) c.number = d;
    }
    bool ordering = c.op == Op::Lt || c.op == Op::Gt || c.op == Op::Le || c.op == Op::Ge;
    if (ordering && !c.number) return invalidPattern("numeric comparison needs a number");
    return NodePtr(n);
  }

  std::string_view s_;
  size_t pos_ = 0;
  int regexes_ = 0;
};

const Json* select(const Json& doc, const std::vector<Step>& path, bool& exists) {
  const Json* cur = &doc;
  for (const Step& s : path) {
    if (s.index >= 0) {
      const JsonArray* a = cur->if_array();
      if (!a || static_cast<size_t>(s.index) >= a->size()) {
        exists = false;
        return nullptr;
      }
      cur = &(*a)[static_cast<size_t>(s.index)];
    } else {
      const JsonObject* o = cur->if_object();
      const Json* next = o ? o->if_contains(s.member) : nullptr;
      if (!next) {
        exists = false;
        return nullptr;
      }
      cur = next;
    }
  }
  exists = true;
  return cur;
}

std::optional<std::string> scalarText(const Json& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
  if (isNumber(v)) return toJsonText(v);
  return std::nullopt;
}

bool compare(const Comparison& c, const Json& doc) {
  bool exists = false;
  const Json* v = select(doc, c.path, exists);
  switch (c.op) {
    case Op::NotExists:
      return !exists;
    case Op::IsNull:
      return exists && v->is_null();
    case Op::IsTrue:
      return exists && v->is_bool() && v->get_bool();
    case Op::IsFalse:
      return exists && v->is_bool() && !v->get_bool();
    default:
      break;
  }
  if (!exists) return false;
  if (c.number && isNumber(*v)) {
    double x = toDouble(*v), y = *c.number;
    switch (c.op) {
      case Op::Eq:
        return x == y;
      case Op::Ne:
        return x != y;
      case Op::Lt:
        return x < y;
      case Op::Gt:
        return x > y;
      case Op::Le:
        return x <= y;
      case Op::Ge:
        return x >= y;
      default:
        return false;
    }
  }
  if (c.op != Op::Eq && c.op != Op::Ne) return false;
  auto text = scalarText(*v);
  if (!text) return false;
  bool eq = c.regex ? c.regex->search(*text) : wildcardMatch(c.value, *text);
  return c.op == Op::Eq ? eq : !eq;
}

bool evalJson(const Node& n, const Json& doc) {
  switch (n.kind) {
    case Node::Kind::And:
      return evalJson(*n.left, doc) && evalJson(*n.right, doc);
    case Node::Kind::Or:
      return evalJson(*n.left, doc) || evalJson(*n.right, doc);
    case Node::Kind::Compare:
      return compare(n.cmp, doc);
    case Node::Kind::Terms:
    case Node::Kind::Delimited:
    case Node::Kind::Regex:
      return false;
  }
  return false;
}

}  // namespace

Result<FilterPattern> FilterPattern::compile(std::string_view pattern) {
  FilterPattern fp;
  size_t b = pattern.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return fp;
  size_t e = pattern.find_last_not_of(" \t\r\n");
  std::string_view s = pattern.substr(b, e - b + 1);
  if (s.front() == '{') {
    if (s.back() != '}') return invalidPattern("missing '}'");
    auto root = JsonParser(s.substr(1, s.size() - 2)).parse();
    if (!root) return root.error();
    fp.root_ = *root;
    return fp;
  }
  if (s.size() >= 2 && s.front() == '%' && s.back() == '%') {
    auto regex = RegexPattern::compile(s.substr(1, s.size() - 2));
    if (!regex) return regex.error();
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::Regex;
    node->regex = std::move(*regex);
    fp.root_ = std::move(node);
    return fp;
  }
  if (s.front() == '[') {
    auto delimited = DelimitedPattern::compile(s);
    if (!delimited) return delimited.error();
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::Delimited;
    node->delimited = std::move(*delimited);
    fp.root_ = std::move(node);
    return fp;
  }
  auto root = parseTerms(s);
  if (!root) return root.error();
  fp.root_ = *root;
  return fp;
}

bool FilterPattern::matches(std::string_view message) const {
  return extract(message).has_value();
}

std::optional<std::map<std::string, std::string>> FilterPattern::extract(
    std::string_view message) const {
  using Values = std::map<std::string, std::string>;
  if (!root_) return Values{};
  if (root_->kind == Node::Kind::Delimited) {
    auto fields = root_->delimited->match(message);
    if (!fields) return std::nullopt;
    Values out;
    for (auto& [name, value] : *fields) out["$" + name] = std::move(value);
    return out;
  }
  if (root_->kind == Node::Kind::Regex) {
    return root_->regex->search(message) ? std::optional<Values>(Values{}) : std::nullopt;
  }
  if (root_->kind == Node::Kind::Terms) {
    return matchTerms(*root_, message) ? std::optional<Values>(Values{}) : std::nullopt;
  }
  auto doc = parseJson(message);
  if (doc && doc->is_object() && evalJson(*root_, *doc)) return Values{};
  return std::nullopt;
}

}  // namespace sluice::services::logs
