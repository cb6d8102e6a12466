// JSONPath syntax: dot and bracket steps, wildcards, recursive descent, slices,
// unions and filter expressions, as Jayway (and so AWS) accepts them.
#include <cctype>
#include <charconv>

#include "asl/jsonpath_ast.hpp"
#include "asl/number_literal.hpp"

namespace sluice::asl::jsonpath {
namespace {

using Error = std::optional<std::string>;

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

class Parser {
 public:
  Parser(std::string_view text, size_t& pos) : s_(text), pos_(pos) {}

  Error steps(Steps& out, bool inFilter) {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '.') {
        bool recursive = pos_ + 1 < s_.size() && s_[pos_ + 1] == '.';
        pos_ += recursive ? 2 : 1;
        if (pos_ >= s_.size()) return "path must not end with '.'";
        Step step;
        step.recursive = recursive;
        if (s_[pos_] == '[') {
          if (!recursive) return "unexpected '[' after '.'";
          if (auto e = bracket(step)) return e;
        } else if (s_[pos_] == '*') {
          ++pos_;
          step.kind = Step::Kind::Wildcard;
        } else {
          std::string name = dotName(inFilter);
          if (name.empty()) return "empty property name";
          step.kind = Step::Kind::Name;
          step.names.push_back(std::move(name));
        }
        out.push_back(std::move(step));
      } else if (c == '[') {
        Step step;
        if (auto e = bracket(step)) return e;
        out.push_back(std::move(step));
      } else if (inFilter) {
        return std::nullopt;  // the operator or closing paren follows
      } else {
        return "unexpected character '" + std::string(1, c) + "'";
      }
    }
    return std::nullopt;
  }

 private:
  std::string dotName(bool inFilter) {
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '.' || c == '[' || c == ']' || isSpace(c)) break;
      if (inFilter && std::string_view("=!<>)&|,~").find(c) != std::string_view::npos) break;
      ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  void skipSpaces() {
    while (pos_ < s_.size() && isSpace(s_[pos_])) ++pos_;
  }

  bool eat(char c) {
    skipSpaces();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // A quoted name. AWS keeps the text between the quotes as written: a
  // backslash only stops the next character from closing the string.
  Error quoted(std::string& out) {
    char q = s_[pos_++];
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != q) pos_ += s_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= s_.size()) return "unterminated quoted name";
    out.assign(s_.substr(start, pos_ - start));
    ++pos_;
    return std::nullopt;
  }

  Error bracket(Step& step) {
    ++pos_;  // '['
    skipSpaces();
    if (pos_ >= s_.size()) return "unterminated '['";
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      do {
        skipSpaces();
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"'))
          return "expected a quoted name";
        std::string name;
        if (auto e = quoted(name)) return e;
        step.names.push_back(std::move(name));
      } while (eat(','));
      step.kind = step.names.size() == 1 ? Step::Kind::Name : Step::Kind::Names;
    } else if (c == '*') {
      ++pos_;
      step.kind = Step::Kind::Wildcard;
    } else if (c == '?') {
      ++pos_;
      if (!eat('(')) return "expected '(' after '?'";
      auto expr = std::make_shared<FilterExpr>();
      if (auto e = orExpr(*expr)) return e;
      if (!eat(')')) return "expected ')' to close the filter";
      step.kind = Step::Kind::Filter;
      step.filter = std::move(expr);
    } else {
      return indexes(step);
    }
    if (!eat(']')) return "expected ']'";
    return std::nullopt;
  }

  Error indexes(Step& step) {
    size_t end = s_.find(']', pos_);
    if (end == std::string_view::npos) return "unterminated '['";
    std::string_view body = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    auto parseInt = [](std::string_view t, long long& v) {
      while (!t.empty() && isSpace(t.front())) t.remove_prefix(1);
      while (!t.empty() && isSpace(t.back())) t.remove_suffix(1);
      if (t.empty()) return false;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      return ec == std::errc() && p == t.data() + t.size();
    };
    if (auto colon = body.find(':'); colon != std::string_view::npos) {
      std::string_view a = body.substr(0, colon), b = body.substr(colon + 1);
      if (b.find(':') != std::string_view::npos) return "slice steps are not supported";
      long long v = 0;
      auto blank = [](std::string_view t) {
        return t.find_first_not_of(" \t") == std::string_view::npos;
      };
      if (!blank(a)) {
        if (!parseInt(a, v)) return "invalid slice start";
        step.sliceStart = v;
      }
      if (!blank(b)) {
        if (!parseInt(b, v)) return "invalid slice end";
        step.sliceEnd = v;
      }
      step.kind = Step::Kind::Slice;
      return std::nullopt;
    }
    size_t start = 0;
    while (true) {
      size_t comma = body.find(',', start);
      long long v = 0;
      if (!parseInt(body.substr(start, comma - start), v)) return "invalid array index";
      step.indexes.push_back(v);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    step.kind = step.indexes.size() == 1 ? Step::Kind::Index : Step::Kind::Indexes;
    return std::nullopt;
  }

  // ---- filter expressions ----

  Error orExpr(FilterExpr& out) {
    FilterExpr first;
    if (auto e = andExpr(first)) return e;
    if (!peek("||")) {
      out = std::move(first);
      return std::nullopt;
    }
    out.op = FilterExpr::Op::Or;
    out.children.push_back(std::move(first));
    while (consume("||")) {
      FilterExpr next;
      if (auto e = andExpr(next)) return e;
      out.children.push_back(std::move(next));
    }
    return std::nullopt;
  }

  Error andExpr(FilterExpr& out) {
    FilterExpr first;
    if (auto e = unary(first)) return e;
    if (!peek("&&")) {
      out = std::move(first);
      return std::nullopt;
    }
    out.op = FilterExpr::Op::And;
    out.children.push_back(std::move(first));
    while (consume("&&")) {
      FilterExpr next;
      if (auto e = unary(next)) return e;
      out.children.push_back(std::move(next));
    }
    return std::nullopt;
  }

  Error unary(FilterExpr& out) {
    skipSpaces();
    if (pos_ < s_.size() && s_[pos_] == '!' && !peek("!=")) {
      ++pos_;
      out.op = FilterExpr::Op::Not;
      out.children.emplace_back();
      return unary(out.children.back());
    }
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      if (auto e = orExpr(out)) return e;
      if (!eat(')')) return "expected ')' in filter";
      return std::nullopt;
    }
    return comparison(out);
  }

  Error comparison(FilterExpr& out) {
    if (auto e = operand(out.lhs)) return e;
    static constexpr std::pair<std::string_view, FilterExpr::Op> kOps[] = {
        {"==", FilterExpr::Op::Eq}, {"!=", FilterExpr::Op::Ne},    {"<=", FilterExpr::Op::Le},
        {">=", FilterExpr::Op::Ge}, {"=~", FilterExpr::Op::Match}, {"<", FilterExpr::Op::Lt},
        {">", FilterExpr::Op::Gt},  {"nin", FilterExpr::Op::Nin},  {"in", FilterExpr::Op::In},
    };
    for (const auto& [tok, op] : kOps) {
      if (consume(tok)) {
        out.op = op;
        return operand(out.rhs);
      }
    }
    if (out.lhs.kind == Operand::Kind::Regex) return "a regular expression needs '=~'";
    out.op = FilterExpr::Op::Exists;
    return std::nullopt;
  }

  Error operand(Operand& out) {
    skipSpaces();
    if (pos_ >= s_.size()) return "incomplete filter";
    char c = s_[pos_];
    if (c == '@' || c == '$') {
      ++pos_;
      out.kind = c == '@' ? Operand::Kind::Current : Operand::Kind::Root;
      if (auto e = steps(out.steps, true)) return e;
      out.definite = isDefinite(out.steps);
      return std::nullopt;
    }
    if (c == '/') return regex(out);
    out.kind = Operand::Kind::Literal;
    return literal(out.literal);
  }

  Error literal(Json& out) {
    skipSpaces();
    if (pos_ >= s_.size()) return "incomplete filter";
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      std::string v;
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] != c) {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        v += s_[pos_++];
      }
      if (pos_ >= s_.size()) return "unterminated string in filter";
      ++pos_;
      out = json::string(v);
      return std::nullopt;
    }
    if (c == '[') {
      ++pos_;
      json::array arr;
      if (!eat(']')) {
        do {
          Json v;
          if (auto e = literal(v)) return e;
          arr.push_back(std::move(v));
        } while (eat(','));
        if (!eat(']')) return "expected ']' in list";
      }
      out = std::move(arr);
      return std::nullopt;
    }
    for (auto [word, value] :
         {std::pair<std::string_view, Json>{"true", true}, {"false", false}, {"null", nullptr}}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        out = value;
        return std::nullopt;
      }
    }
    return number(out);
  }

  Error number(Json& out) {
    switch (scanNumberLiteral(s_, pos_, false, out)) {
      case NumberScan::Ok:
        return std::nullopt;
      case NumberScan::Empty:
        return "unexpected token in filter";
      case NumberScan::Invalid:
        break;
    }
    return "invalid number in filter";
  }

  Error regex(Operand& out) {
    size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '/') pos_ += s_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= s_.size()) return "unterminated regular expression";
    std::string pattern(s_.substr(start, pos_ - start));
    ++pos_;
    auto flags = std::regex::ECMAScript;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) {
      if (s_[pos_] == 'i') flags |= std::regex::icase;
      ++pos_;
    }
    try {
      out.regex = std::make_shared<const std::regex>(pattern, flags);
    } catch (const std::regex_error&) {
      return "invalid regular expression";
    }
    out.kind = Operand::Kind::Regex;
    return std::nullopt;
  }

  bool peek(std::string_view tok) {
    skipSpaces();
    return s_.substr(pos_, tok.size()) == tok;
  }

  bool consume(std::string_view tok) {
    if (!peek(tok)) return false;
    // Word operators (in, nin) must stand alone.
    if (std::isalpha(static_cast<unsigned char>(tok[0]))) {
      size_t after = pos_ + tok.size();
      if (after < s_.size() && !isSpace(s_[after]) && s_[after] != '[' && s_[after] != '$' &&
          s_[after] != '@')
        return false;
    }
    pos_ += tok.size();
    return true;
  }

  std::string_view s_;
  size_t& pos_;
};

}  // namespace

std::optional<std::string> parseSteps(std::string_view text, size_t& pos, Steps& out,
                                      bool inFilter) {
  return Parser(text, pos).steps(out, inFilter);
}

bool isDefinite(const Steps& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (s.recursive) return false;
    if (s.kind == Step::Kind::Name || s.kind == Step::Kind::Index) continue;
    if (s.kind == Step::Kind::Names && i + 1 == steps.size()) continue;
    return false;
  }
  return true;
}

bool isReference(const Steps& steps) {
  for (const Step& s : steps) {
    if (s.recursive || (s.kind != Step::Kind::Name && s.kind != Step::Kind::Index)) return false;
  }
  return true;
}

std::string normalized(const Steps& steps) {
  std::string out = "$";
  for (const Step& s : steps) {
    if (s.recursive) out += "..";
    switch (s.kind) {
      case Step::Kind::Name:
      case Step::Kind::Names: {
        out += '[';
        for (size_t i = 0; i < s.names.size(); ++i) {
          if (i) out += ',';
          out += '\'' + s.names[i] + '\'';
        }
        out += ']';
        break;
      }
      case Step::Kind::Index:
      case Step::Kind::Indexes: {
        out += '[';
        for (size_t i = 0; i < s.indexes.size(); ++i) {
          if (i) out += ',';
          out += std::to_string(s.indexes[i]);
        }
        out += ']';
        break;
      }
      case Step::Kind::Wildcard:
        out += "[*]";
        break;
      case Step::Kind::Slice:
        out += '[';
        if (s.sliceStart) out += std::to_string(*s.sliceStart);
        out += ':';
        if (s.sliceEnd) out += std::to_string(*s.sliceEnd);
        out += ']';
        break;
      case Step::Kind::Filter:
        out += "[?]";
        break;
    }
  }
  return out;
}

}  // namespace sluice::asl::jsonpath
