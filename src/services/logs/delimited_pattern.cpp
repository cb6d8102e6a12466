#include "services/logs/delimited_pattern.hpp"

#include <cctype>
#include <charconv>

#include "services/logs/filter_pattern.hpp"
#include "services/logs/regex_pattern.hpp"

namespace sluice::services::logs {

namespace {

AwsError invalid(std::string_view detail) {
  return {"InvalidParameterException", "Invalid filter pattern: " + std::string(detail), 400};
}

std::optional<double> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

enum class Op { Eq, Ne, Lt, Le, Gt, Ge };

struct Condition {
  std::string field;
  Op op = Op::Eq;
  std::string value;                  // unquoted, wildcards kept
  std::optional<double> numeric;      // when the value is an unquoted number
  std::optional<RegexPattern> regex;  // a value written as %...%
};

// Conditions in disjunctive form: any group whose conditions all hold.
using Disjunction = std::vector<std::vector<Condition>>;

bool holds(const Condition& c, const std::map<std::string, std::string>& fields) {
  auto it = fields.find(c.field);
  if (it == fields.end()) return false;
  const std::string& v = it->second;
  std::optional<double> n = number(v);
  switch (c.op) {
    case Op::Eq:
    case Op::Ne: {
      bool equal = c.regex          ? c.regex->search(v)
                   : c.numeric && n ? *n == *c.numeric
                                    : wildcardMatch(c.value, v);
      return c.op == Op::Eq ? equal : !equal;
    }
    case Op::Lt:
      return n && *n < *c.numeric;
    case Op::Le:
      return n && *n <= *c.numeric;
    case Op::Gt:
      return n && *n > *c.numeric;
    case Op::Ge:
      return n && *n >= *c.numeric;
  }
  return false;
}

// A small scanner over the pattern text between the brackets.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  void skipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool done() {
    skipSpace();
    return i_ >= s_.size();
  }
  bool take(std::string_view token) {
    skipSpace();
    if (s_.substr(i_, token.size()) != token) return false;
    i_ += token.size();
    return true;
  }
  char peek() {
    skipSpace();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  std::string name() {
    skipSpace();
    size_t start = i_;
    while (i_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '-')) {
      ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }
  std::optional<Op> op() {
    for (auto [text, op] : {std::pair{"!=", Op::Ne},
                            {"<=", Op::Le},
                            {">=", Op::Ge},
                            {"=", Op::Eq},
                            {"<", Op::Lt},
                            {">", Op::Gt}}) {
      if (take(text)) return op;
    }
    return std::nullopt;
  }
  // A quoted string, a regex %...% (its expression, with `regex` set), or a
  // bare value up to a space, "," , "&&" or "||".
  Result<std::pair<std::string, bool>> value(bool& regex) {
    skipSpace();
    regex = false;
    if (i_ < s_.size() && s_[i_] == '%') {
      size_t end = s_.find('%', i_ + 1);
      if (end == std::string_view::npos) return invalid("unterminated regex");
      std::string v(s_.substr(i_ + 1, end - i_ - 1));
      i_ = end + 1;
      regex = true;
      return std::pair{v, false};
    }
    if (i_ < s_.size() && s_[i_] == '"') {
      size_t end = s_.find('"', i_ + 1);
      if (end == std::string_view::npos) return invalid("unterminated quoted value");
      std::string v(s_.substr(i_ + 1, end - i_ - 1));
      i_ = end + 1;
      return std::pair{v, true};
    }
    size_t start = i_;
    while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) && s_[i_] != ',' &&
           s_.substr(i_, 2) != "&&" && s_.substr(i_, 2) != "||") {
      ++i_;
    }
    if (i_ == start) return invalid("missing value");
    return std::pair{std::string(s_.substr(start, i_ - start)), false};
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

Result<Condition> parseCondition(Parser& p, std::string field) {
  Condition c;
  c.field = std::move(field);
  auto op = p.op();
  if (!op) return invalid("expected a comparison after '" + c.field + "'");
  c.op = *op;
  bool regex = false;
  auto v = p.value(regex);
  if (!v) return v.error();
  c.value = v->first;
  if (regex) {
    if (c.op != Op::Eq && c.op != Op::Ne) return invalid("a regex needs = or !=");
    auto compiled = RegexPattern::compile(c.value);
    if (!compiled) return compiled.error();
    c.regex = std::move(*compiled);
    return c;
  }
  if (!v->second) c.numeric = number(c.value);
  if (c.op != Op::Eq && c.op != Op::Ne && !c.numeric) {
    return invalid("'" + c.value + "' is not a number");
  }
  return c;
}

}  // namespace

struct DelimitedPattern::Program {
  struct Slot {
    bool ellipsis = false;
    std::string name;
  };
  std::vector<Slot> slots;
  std::vector<Disjunction> conditions;  // each must hold

  bool holdsAll(const std::map<std::string, std::string>& fields) const {
    for (const Disjunction& d : conditions) {
      bool any = false;
      for (const auto& group : d) {
        bool all = true;
        for (const Condition& c : group) all = all && holds(c, fields);
        if (all) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    return true;
  }

  // Binds fields[f..] to slots[s..] (an ellipsis takes any number), checking
  // the conditions once every slot is bound.
  bool bind(const std::vector<std::string>& fields, size_t s, size_t f,
            std::map<std::string, std::string>& bound) const {
    if (s == slots.size()) return f == fields.size() && holdsAll(bound);
    if (slots[s].ellipsis) {
      for (size_t k = f; k <= fields.size(); ++k) {
        if (bind(fields, s + 1, k, bound)) return true;
      }
      return false;
    }
    if (f == fields.size()) return false;
    auto saved = bound.find(slots[s].name) != bound.end()
                     ? std::optional<std::string>(bound[slots[s].name])
                     : std::nullopt;
    bound[slots[s].name] = fields[f];
    if (bind(fields, s + 1, f + 1, bound)) return true;
    if (saved) {
      bound[slots[s].name] = *saved;
    } else {
      bound.erase(slots[s].name);
    }
    return false;
  }
};

std::vector<std::string> splitDelimitedFields(std::string_view m) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < m.size()) {
    if (std::isspace(static_cast<unsigned char>(m[i]))) {
      ++i;
      continue;
    }
    char close = m[i] == '"' ? '"' : m[i] == '[' ? ']' : '\0';
    if (close) {
      size_t end = m.find(close, i + 1);
      if (end != std::string_view::npos) {
        out.emplace_back(m.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    size_t start = i;
    while (i < m.size() && !std::isspace(static_cast<unsigned char>(m[i]))) ++i;
    out.emplace_back(m.substr(start, i - start));
  }
  return out;
}

Result<DelimitedPattern> DelimitedPattern::compile(std::string_view pattern) {
  if (pattern.size() < 2 || pattern.front() != '[' || pattern.back() != ']') {
    return invalid("a space-delimited pattern is enclosed in [ ]");
  }
  auto program = std::make_shared<Program>();
  Parser p(pattern.substr(1, pattern.size() - 2));
  if (p.done()) return invalid("no fields between [ ]");
  for (;;) {
    Program::Slot slot;
    if (p.take("...")) {
      slot.ellipsis = true;
    } else {
      slot.name = p.name();
      if (slot.name.empty()) return invalid("expected a field name");
      if (p.peek() != ',' && !p.done()) {
        // Conditions: c (&& c)* (|| c (&& c)*)*; the first names this field.
        Disjunction d(1);
        auto c = parseCondition(p, slot.name);
        if (!c) return c.error();
        d.back().push_back(std::move(*c));
        for (;;) {
          bool orNext = p.take("||");
          if (!orNext && !p.take("&&")) break;
          std::string field = p.name();
          if (field.empty()) return invalid("expected a field name after && or ||");
          auto next = parseCondition(p, field);
          if (!next) return next.error();
          if (orNext) d.emplace_back();
          d.back().push_back(std::move(*next));
        }
        program->conditions.push_back(std::move(d));
      }
    }
    program->slots.push_back(std::move(slot));
    if (p.done()) break;
    if (!p.take(",")) return invalid("expected ',' between fields");
  }
  // Every condition must name a field of the pattern.
  int regexes = 0;
  for (const Disjunction& d : program->conditions) {
    for (const auto& group : d) {
      for (const Condition& c : group) {
        bool known = false;
        for (const auto& s : program->slots) known = known || s.name == c.field;
        if (!known) return invalid("unknown field '" + c.field + "'");
        if (c.regex) ++regexes;
      }
    }
  }
  if (regexes > RegexPattern::kMaxPerPattern) {
    return invalid("at most 2 regular expressions in one pattern");
  }
  DelimitedPattern out;
  out.program_ = std::move(program);
  return out;
}

std::optional<std::map<std::string, std::string>> DelimitedPattern::match(
    std::string_view message) const {
  std::map<std::string, std::string> bound;
  if (!program_->bind(splitDelimitedFields(message), 0, 0, bound)) return std::nullopt;
  return bound;
}

}  // namespace sluice::services::logs
