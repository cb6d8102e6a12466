#include "lake/dqdl.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <regex>
#include <set>

#include "core/text.hpp"

namespace sluice::lake {

namespace {

// ---- reading ---------------------------------------------------------------

struct Token {
  enum Kind { Word, String, Number, Symbol, End } kind = End;
  std::string text;
  size_t at = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    skip();
    Token t;
    t.at = pos_;
    if (pos_ >= text_.size()) return t;
    char c = text_[pos_];
    if (c == '"') {
      t.kind = Token::String;
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        t.text += text_[pos_++];
      }
      ++pos_;
      return t;
    }
    bool sign = (c == '-' || c == '+') && pos_ + 1 < text_.size() &&
                std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]));
    if (std::isdigit(static_cast<unsigned char>(c)) || sign) {
      t.kind = Token::Number;
      t.text += text_[pos_++];
      while (pos_ < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
        t.text += text_[pos_++];
      }
      return t;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Word;
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                     text_[pos_] == '_' || text_[pos_] == '.')) {
        t.text += text_[pos_++];
      }
      return t;
    }
    t.kind = Token::Symbol;
    for (std::string_view two : {">=", "<=", "!="}) {
      if (text_.substr(pos_, 2) == two) {
        t.text = std::string(two);
        pos_ += 2;
        return t;
      }
    }
    t.text = std::string(1, c);
    ++pos_;
    return t;
  }

  Token peek() {
    size_t saved = pos_;
    Token t = next();
    pos_ = saved;
    return t;
  }
  size_t position() {
    skip();
    return pos_;
  }

 private:
  void skip() {
    for (;;) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        continue;
      }
      return;
    }
  }
  std::string_view text_;
  size_t pos_ = 0;
};

// Every DQDL rule type; those evaluated here are listed in evaluate().
const std::set<std::string>& ruleTypes() {
  static const std::set<std::string> all = {"RowCount",
                                            "RowCountMatch",
                                            "ColumnCount",
                                            "Completeness",
                                            "IsComplete",
                                            "ColumnDataType",
                                            "ColumnNamesMatchPattern",
                                            "ColumnExists",
                                            "ColumnCorrelation",
                                            "Uniqueness",
                                            "IsUnique",
                                            "Mean",
                                            "Median",
                                            "Sum",
                                            "StandardDeviation",
                                            "Variance",
                                            "Entropy",
                                            "DistinctValuesCount",
                                            "UniqueValueRatio",
                                            "ColumnLength",
                                            "IsPrimaryKey",
                                            "ColumnValues",
                                            "DataFreshness",
                                            "CustomSql",
                                            "ReferentialIntegrity",
                                            "DatasetMatch",
                                            "SchemaMatch",
                                            "AggregateMatch",
                                            "DetectAnomalies",
                                            "AllStatistics",
                                            "FileMatch",
                                            "FileUniqueness",
                                            "FileFreshness",
                                            "FileSize"};
  return all;
}

std::string shown(double v);

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lex_(text) {}

  Result<DqRuleset> ruleset() {
    DqRuleset out;
    bool any = false;
    while (lex_.peek().kind != Token::End) {
      Token section = lex_.next();
      if (section.kind != Token::Word) return error(section.at, "expected Rules = [ ... ]");
      if (!symbol("=")) return error(lex_.position(), "expected = after " + section.text);
      if (section.text == "Metadata" || section.text == "DataSources") {
        if (auto r = skipBraces(); !r) return r.error();
        continue;
      }
      if (section.text != "Rules" && section.text != "Analyzers") {
        return error(section.at, "unknown section " + section.text);
      }
      auto list = ruleList();
      if (!list) return list.error();
      (section.text == "Rules" ? out.rules : out.analyzers) = std::move(*list);
      any = true;
    }
    if (!any) return error(0, "a ruleset needs Rules = [ ... ]");
    return out;
  }

 private:
  AwsError error(size_t at, const std::string& what) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return AwsError{
        "InvalidInputException",
        "Ruleset line " + std::to_string(line) + ":" + std::to_string(col) + ": " + what, 400};
  }

  bool symbol(std::string_view s) {
    Token t = lex_.peek();
    if (t.kind != Token::Symbol || t.text != s) return false;
    lex_.next();
    return true;
  }
  bool word(std::string_view w) {
    Token t = lex_.peek();
    if (t.kind != Token::Word || t.text != w) return false;
    lex_.next();
    return true;
  }

  Result<void> skipBraces() {
    if (!symbol("{")) return error(lex_.position(), "expected {");
    for (int depth = 1; depth > 0;) {
      Token t = lex_.next();
      if (t.kind == Token::End) return error(t.at, "unclosed {");
      if (t.kind == Token::Symbol && t.text == "{") ++depth;
      if (t.kind == Token::Symbol && t.text == "}") --depth;
    }
    return {};
  }

  Result<std::vector<DqRule>> ruleList() {
    if (!symbol("[")) return error(lex_.position(), "expected [");
    std::vector<DqRule> rules;
    if (symbol("]")) return rules;
    do {
      auto r = rule();
      if (!r) return r.error();
      rules.push_back(std::move(*r));
    } while (symbol(","));
    if (!symbol("]")) return error(lex_.position(), "expected , or ] after a rule");
    return rules;
  }

  Result<DqRule> rule() {
    size_t start = lex_.position();
    auto first = primary();
    if (!first) return first;
    if (lex_.peek().kind != Token::Word ||
        (lex_.peek().text != "and" && lex_.peek().text != "or")) {
      return first;
    }
    DqRule composite;
    composite.composite = lex_.peek().text;
    composite.parts.push_back(std::move(*first));
    while (word(composite.composite)) {
      auto next = primary();
      if (!next) return next;
      composite.parts.push_back(std::move(*next));
    }
    Token stray = lex_.peek();
    if (stray.kind == Token::Word && (stray.text == "and" || stray.text == "or")) {
      return error(stray.at, "mix of and / or: put parentheses around each part");
    }
    composite.text = trimmed(text_.substr(start, lex_.position() - start));
    return composite;
  }

  Result<DqRule> primary() {
    if (symbol("(")) {
      auto inner = rule();
      if (!inner) return inner;
      if (!symbol(")")) return error(lex_.position(), "expected )");
      return inner;
    }
    return simple();
  }

  static std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    return std::string(s);
  }

  Result<DqRule> simple() {
    size_t start = lex_.position();
    Token type = lex_.next();
    if (type.kind != Token::Word) return error(type.at, "expected a rule type");
    if (!ruleTypes().count(type.text)) return error(type.at, "unknown rule type " + type.text);
    DqRule r;
    r.type = type.text;
    while (lex_.peek().kind == Token::String) r.parameters.push_back(lex_.next().text);
    if (startsCondition()) {
      auto c = condition();
      if (!c) return c.error();
      r.condition = std::move(*c);
    }
    for (;;) {
      if (word("where")) {
        Token w = lex_.next();
        if (w.kind != Token::String) return error(w.at, "expected the where clause as a string");
        r.where = w.text;
      } else if (word("with")) {
        if (!word("threshold")) return error(lex_.position(), "expected threshold after with");
        auto c = condition();
        if (!c) return c.error();
        r.threshold = std::move(*c);
      } else {
        break;
      }
    }
    r.text = trimmed(text_.substr(start, lex_.position() - start));
    return r;
  }

  bool startsCondition() {
    Token t = lex_.peek();
    if (t.kind == Token::Symbol) {
      return t.text == "=" || t.text == "!=" || t.text == ">" || t.text == ">=" || t.text == "<" ||
             t.text == "<=";
    }
    return t.kind == Token::Word &&
           (t.text == "between" || t.text == "in" || t.text == "matches" || t.text == "not");
  }

  Result<std::string> value(DqCondition& c) {
    Token v = lex_.next();
    if (v.kind == Token::String) {
      c.strings = true;
      return v.text;
    }
    if (v.kind == Token::Number) {
      // A duration (DataFreshness): hours or days, counted here in hours.
      Token unit = lex_.peek();
      if (unit.kind == Token::Word && (unit.text == "hours" || unit.text == "hour" ||
                                       unit.text == "days" || unit.text == "day")) {
        lex_.next();
        c.duration = true;
        double hours = std::stod(v.text) * (unit.text.starts_with("day") ? 24 : 1);
        return shown(hours);
      }
      return v.text;
    }
    if (v.kind == Token::Word &&
        (v.text == "NULL" || v.text == "EMPTY" || v.text == "WHITESPACES_ONLY")) {
      return v.text;
    }
    if (v.kind == Token::Word) {
      return AwsError{"InvalidInputException",
                      "Ruleset: the value " + v.text +
                          " (dynamic rules, dates relative to now(), durations) is not "
                          "supported by Sluice yet",
                      400};
    }
    return error(v.at, "expected a value");
  }

  Result<DqCondition> condition() {
    DqCondition c;
    c.negated = word("not");
    Token op = lex_.next();
    c.op = op.text;
    if (op.kind == Token::Word && op.text == "between") {
      auto lo = value(c);
      if (!lo) return lo.error();
      if (!word("and")) return error(lex_.position(), "expected and in between");
      auto hi = value(c);
      if (!hi) return hi.error();
      c.values = {*lo, *hi};
      return c;
    }
    if (op.kind == Token::Word && op.text == "in") {
      if (!symbol("[")) return error(lex_.position(), "expected [ after in");
      do {
        auto v = value(c);
        if (!v) return v.error();
        c.values.push_back(*v);
      } while (symbol(","));
      if (!symbol("]")) return error(lex_.position(), "expected ]");
      return c;
    }
    if (op.kind == Token::Word && op.text == "matches") {
      Token re = lex_.next();
      if (re.kind != Token::String) return error(re.at, "expected a pattern");
      c.values = {re.text};
      c.strings = true;
      return c;
    }
    if (c.negated || op.kind != Token::Symbol) return error(op.at, "expected a condition");
    auto v = value(c);
    if (!v) return v.error();
    c.values = {*v};
    return c;
  }

  std::string_view text_;
  Lexer lex_;
};

// ---- evaluating ------------------------------------------------------------

// A double as Deequ's messages print it: 9.0, 0.25.
std::string shown(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos && std::isfinite(v)) s += ".0";
  return s;
}

double number(const std::string& s) {
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Whether a number meets a condition.
bool holds(const DqCondition& c, double v) {
  bool r = false;
  if (c.op == "between") {
    r = v > number(c.values[0]) && v < number(c.values[1]);
  } else if (c.op == "in") {
    r = std::any_of(c.values.begin(), c.values.end(),
                    [&](const std::string& x) { return number(x) == v; });
  } else {
    double x = number(c.values[0]);
    r = c.op == "="    ? v == x
        : c.op == "!=" ? v != x
        : c.op == ">"  ? v > x
        : c.op == ">=" ? v >= x
        : c.op == "<"  ? v < x
                       : v <= x;
  }
  return c.negated ? !r : r;
}

std::string literal(const std::string& v, bool strings) {
  return strings ? sqlString(v) : v;
}

// A condition on a column's values as SQL (true where a row complies).
std::string rowCondition(const std::string& column, const DqCondition& c) {
  std::string e;
  if (c.op == "between") {
    e = column + " > " + literal(c.values[0], c.strings) + " AND " + column + " < " +
        literal(c.values[1], c.strings);
  } else if (c.op == "in") {
    std::string list;
    bool null = false, empty = false;
    for (const auto& v : c.values) {
      if (v == "NULL") {
        null = true;
      } else if (v == "EMPTY") {
        empty = true;
      } else {
        list += (list.empty() ? "" : ", ") + literal(v, c.strings);
      }
    }
    e = list.empty() ? "false" : column + " IN (" + list + ")";
    if (null) e += " OR " + column + " IS NULL";
    if (empty) e += " OR CAST(" + column + " AS VARCHAR) = ''";
  } else if (c.op == "matches") {
    // A whole-value match, as Java's String.matches.
    e = "regexp_full_match(CAST(" + column + " AS VARCHAR), " + sqlString(c.values[0]) + ")";
  } else if (c.values[0] == "NULL" && (c.op == "=" || c.op == "!=")) {
    e = column + (c.op == "=" ? " IS NULL" : " IS NOT NULL");
  } else {
    std::string op = c.op == "!=" ? "<>" : c.op;
    e = column + " " + op + " " + literal(c.values[0], c.strings);
    // A NULL row fails every rule but != and not in, which it meets.
    if (c.op == "!=") e = column + " IS NULL OR " + e;
  }
  e = "(" + e + ")";
  // not in / not between: a NULL row meets them unless NULL is listed.
  return c.negated ? "NOT coalesce(" + e + ", false)" : e;
}

class Evaluator {
 public:
  Evaluator(DuckConnection& con, std::string relation, TimePoint now,
            const std::map<std::string, std::string>& references)
      : con_(con), relation_(std::move(relation)), now_(now), references_(references) {}

  // Passes, with its metrics; a failure message (a FAIL) or an error (ERROR).
  struct Outcome {
    std::string result = "PASS";
    std::string message;
    std::map<std::string, double> metrics;
  };

  Outcome rule(const DqRule& r) {
    if (!r.composite.empty()) {
      Outcome out;
      bool all = true, any = false;
      for (const auto& p : r.parts) {
        Outcome part = rule(p);
        for (const auto& [k, v] : part.metrics) out.metrics[k] = v;
        if (part.result == "ERROR") return part;
        all = all && part.result == "PASS";
        any = any || part.result == "PASS";
        if (part.result != "PASS" && out.message.empty()) out.message = part.message;
      }
      bool pass = r.composite == "and" ? all : any;
      out.result = pass ? "PASS" : "FAIL";
      if (pass) out.message.clear();
      return out;
    }
    try {
      return simple(r);
    } catch (const std::runtime_error& e) {
      Outcome out;
      out.result = "ERROR";
      out.message = e.what();
      return out;
    }
  }

  // A rule's outcome for each row, as SQL over the relation's columns
  // (true, false, or NULL where the rule does not apply to the row), for the
  // rules Glue gives row-level results that Sluice judges by row:
  // completeness, values, lengths and uniqueness, `where` limiting them and
  // composites of such rules. None for the rules about the whole dataset
  // (RowCount, Mean, ...) — nor, not built yet, for ColumnDataType,
  // DataFreshness and CustomSql's row form, which Glue also judges by row.
  // Each row is judged as the rule's compliance counts it.
  std::optional<std::string> rowOutcome(const DqRule& r) {
    if (!r.composite.empty()) {
      std::string joined;
      for (const auto& part : r.parts) {
        auto e = rowOutcome(part);
        if (!e) return std::nullopt;
        joined += (joined.empty() ? "" : r.composite == "and" ? " AND " : " OR ") + *e;
      }
      return "(" + joined + ")";
    }
    std::string e;
    try {
      const DqCondition* c = r.condition ? &*r.condition : nullptr;
      if (r.type == "IsComplete" || r.type == "Completeness") {
        e = column(r) + " IS NOT NULL";
      } else if (r.type == "ColumnValues" && c) {
        e = "coalesce(" + rowCondition(column(r), *c) + ", false)";
      } else if (r.type == "ColumnLength" && c) {
        // Compliance counts the values there are: a NULL is not judged.
        std::string col = column(r);
        e = "CASE WHEN " + col + " IS NOT NULL THEN coalesce(" +
            rowCondition("length(CAST(" + col + " AS VARCHAR))", *c) + ", false) END";
      } else if (r.type == "IsUnique" || r.type == "Uniqueness" || r.type == "IsPrimaryKey") {
        // A value seen once over all rows; a NULL is not unique.
        std::string cols, notNull;
        for (size_t i = 0; i < r.parameters.size(); ++i) {
          std::string col = column(r, i);
          cols += (i ? ", " : "") + col;
          notNull += (i ? " AND " : "") + col + " IS NOT NULL";
        }
        e = "(" + notNull + " AND count(*) OVER (PARTITION BY " + cols + ") = 1)";
      } else {
        return std::nullopt;
      }
    } catch (const std::runtime_error&) {
      return std::nullopt;  // the rule is an ERROR: nothing to say of a row
    }
    if (!r.where.empty()) e = "CASE WHEN " + r.where + " THEN " + e + " END";
    return "(" + e + ")";
  }

  // An analyzer: the rule's metrics, with no condition to meet (an error
  // still says why there are none). AllStatistics "c" gathers a column's:
  // completeness, uniqueness, distinct values, entropy, and the mean, sum,
  // standard deviation, minimum and maximum of a number or the lengths of
  // anything else.
  Outcome analyze(const DqRule& r) {
    analyzing_ = true;
    Outcome out;
    if (r.type != "AllStatistics") {
      out = rule(r);
    } else {
      auto part = [&](const char* type) {
        DqRule p = r;
        p.type = type;
        Outcome o = rule(p);
        if (o.result == "ERROR" && out.message.empty()) out.message = o.message;
        for (const auto& [k, v] : o.metrics) out.metrics[k] = v;
        return o.result != "ERROR";
      };
      for (const char* type :
           {"Completeness", "Uniqueness", "DistinctValuesCount", "UniqueValueRatio", "Entropy"}) {
        part(type);
      }
      if (out.message.empty()) {
        DqRule mean = r;
        mean.type = "Mean";
        if (rule(mean).result == "ERROR") {
          part("ColumnLength");
        } else {
          for (const char* type : {"Mean", "Sum", "StandardDeviation", "Minimum", "Maximum"}) {
            part(type);
          }
        }
      }
      out.result = out.message.empty() ? "PASS" : "ERROR";
    }
    analyzing_ = false;
    return out;
  }

 private:
  double scalar(const std::string& sql) {
    auto r = con_.query(sql);
    if (!r) {
      std::string m = r.error().message;
      throw std::runtime_error(m.substr(0, m.find('\n')));
    }
    if (r->rowCount() == 0 || r->columnCount() == 0 || !r->value(0, 0)) return NAN;
    return number(*r->value(0, 0));
  }

  // The relation's columns, described once for all the rules.
  const std::vector<std::string>& columns() {
    if (columns_) return *columns_;
    auto r = con_.query("DESCRIBE SELECT * FROM " + relation_);
    if (!r) throw std::runtime_error(r.error().message);
    columns_.emplace();
    for (size_t i = 0; i < r->rowCount(); ++i) columns_->push_back(r->value(i, 0).value_or(""));
    return *columns_;
  }

  std::string column(const DqRule& r, size_t i = 0) {
    if (i >= r.parameters.size()) {
      throw std::runtime_error(r.type + " needs a column name");
    }
    const auto& cols = columns();
    for (const auto& c : cols) {
      if (c == r.parameters[i]) return sqlIdent(c);
    }
    for (const auto& c : cols) {
      std::string a = c, b = r.parameters[i];
      std::transform(a.begin(), a.end(), a.begin(), ::tolower);
      std::transform(b.begin(), b.end(), b.begin(), ::tolower);
      if (a == b) return sqlIdent(c);
    }
    throw std::runtime_error("Column " + r.parameters[i] + " does not exist");
  }

  Outcome judged(double v, const DqCondition* c, std::map<std::string, double> metrics,
                 bool mustBeOne = false) {
    Outcome out;
    out.metrics = std::move(metrics);
    if (analyzing_ && !c) return out;  // metrics only
    bool pass = mustBeOne ? v == 1.0 : (c && holds(*c, v));
    if (!c && !mustBeOne) throw std::runtime_error("the rule needs a condition");
    if (!pass) {
      out.result = "FAIL";
      out.message = "Value: " + shown(v) + " does not meet the constraint requirement!";
    }
    return out;
  }

  Outcome simple(const DqRule& r) {
    std::string from =
        r.where.empty() ? relation_ : "(SELECT * FROM " + relation_ + " WHERE " + r.where + ")";
    const DqCondition* c = r.condition ? &*r.condition : nullptr;
    auto columnKey = [&](const std::string& metric) {
      std::string names;
      for (const auto& p : r.parameters) names += (names.empty() ? "" : ",") + p;
      return (r.parameters.size() > 1 ? "Multicolumn." : "Column.") + names + "." + metric;
    };
    if (r.type == "RowCount") {
      double v = scalar("SELECT count(*) FROM " + from);
      return judged(v, c, {{"Dataset.*.RowCount", v}});
    }
    if (r.type == "ColumnCount") {
      double v = static_cast<double>(columns().size());
      return judged(v, c, {{"Dataset.*.ColumnCount", v}});
    }
    if (r.type == "ColumnExists") {
      Outcome out;
      try {
        column(r);
      } catch (const std::runtime_error&) {
        out.result = "FAIL";
        out.message = "Column " + r.parameters.at(0) + " does not exist";
      }
      return out;
    }
    if (r.type == "Completeness" || r.type == "IsComplete") {
      std::string col = column(r);
      double v = scalar("SELECT CASE WHEN count(*) = 0 THEN 1.0 ELSE count(" + col +
                        ")::DOUBLE / count(*) END FROM " + from);
      return judged(v, c, {{columnKey("Completeness"), v}}, r.type == "IsComplete");
    }
    if (r.type == "Uniqueness" || r.type == "IsUnique" || r.type == "UniqueValueRatio" ||
        r.type == "IsPrimaryKey") {
      std::string cols, notNull;
      for (size_t i = 0; i < r.parameters.size(); ++i) {
        std::string col = column(r, i);
        cols += (i ? ", " : "") + col;
        notNull += (i ? " AND " : "") + col + " IS NOT NULL";
      }
      // Deequ: values seen exactly once over all rows (Uniqueness) or over
      // the distinct values (UniqueValueRatio).
      std::string groups =
          "(SELECT count(*) AS n FROM " + from + " WHERE " + notNull + " GROUP BY " + cols + ")";
      double unique = scalar("SELECT count(*) FILTER (WHERE n = 1) FROM " + groups);
      if (r.type == "UniqueValueRatio") {
        double distinct = scalar("SELECT count(*) FROM " + groups);
        double v = distinct == 0 ? 0.0 : unique / distinct;
        return judged(v, c, {{columnKey("UniqueValueRatio"), v}});
      }
      double rows = scalar("SELECT count(*) FROM " + from);
      double v = rows == 0 ? 1.0 : unique / rows;
      if (r.type == "IsPrimaryKey") {
        double complete = scalar(
            "SELECT CASE WHEN count(*) = 0 THEN 1.0 ELSE count(*) FILTER "
            "(WHERE " +
            notNull + ")::DOUBLE / count(*) END FROM " + from);
        Outcome out =
            judged(std::min(v, complete), nullptr,
                   {{columnKey("Completeness"), complete}, {columnKey("Uniqueness"), v}}, true);
        return out;
      }
      return judged(v, c, {{columnKey("Uniqueness"), v}}, r.type == "IsUnique");
    }
    if (r.type == "DistinctValuesCount") {
      double v = scalar("SELECT count(DISTINCT " + column(r) + ") FROM " + from);
      return judged(v, c, {{columnKey("DistinctValuesCount"), v}});
    }
    if (r.type == "Mean" || r.type == "Sum") {
      double v = scalar("SELECT " + std::string(r.type == "Mean" ? "avg" : "sum") + "(" +
                        column(r) + ")::DOUBLE FROM " + from);
      return judged(v, c, {{columnKey(r.type), v}});
    }
    if (r.type == "StandardDeviation" || r.type == "Variance") {
      // The population's, in two passes (the mean first): exact where the
      // data allow it.
      std::string col = column(r) + "::DOUBLE";
      double v = scalar("SELECT avg(power(" + col + " - (SELECT avg(" + col + ") FROM " + from +
                        "), 2)) FROM " + from);
      if (r.type == "StandardDeviation") v = std::sqrt(v);
      return judged(v, c, {{columnKey(r.type), v}});
    }
    if (r.type == "Entropy") {
      // Deequ: -sum(p ln p) over the frequencies of the non-null values.
      std::string col = column(r);
      double v = scalar(
          "SELECT coalesce(-sum(p * ln(p)), 0) FROM (SELECT count(*)::DOUBLE / sum(count(*)) "
          "OVER () AS p FROM " +
          from + " WHERE " + col + " IS NOT NULL GROUP BY " + col + ")");
      return judged(v, c, {{columnKey("Entropy"), v}});
    }
    if (r.type == "ColumnCorrelation") {
      // Pearson's, over the rows where both are present.
      std::string a = column(r, 0), b = column(r, 1);
      double v = scalar("SELECT corr(" + a + "::DOUBLE, " + b + "::DOUBLE) FROM " + from);
      return judged(v, c, {{columnKey("ColumnCorrelation"), v}});
    }
    if (r.type == "ColumnLength") {
      std::string col = "length(CAST(" + column(r) + " AS VARCHAR))";
      double lo = scalar("SELECT min(" + col + ") FROM " + from);
      double hi = scalar("SELECT max(" + col + ") FROM " + from);
      if (!c && analyzing_) {
        Outcome out;
        out.metrics = {{columnKey("MaximumLength"), hi}, {columnKey("MinimumLength"), lo}};
        return out;
      }
      if (!c) throw std::runtime_error("ColumnLength needs a condition");
      double compliance = scalar(
          "SELECT CASE WHEN count(*) = 0 THEN 1.0 ELSE count(*) FILTER "
          "(WHERE " +
          rowCondition(col, *c) +
          ")::DOUBLE / count(*) END "
          "FROM " +
          from + " WHERE " + column(r) + " IS NOT NULL");
      Outcome out = r.threshold ? judged(compliance, &*r.threshold, {})
                                : judged(compliance, nullptr, {}, true);
      out.metrics = {{columnKey("MaximumLength"), hi}, {columnKey("MinimumLength"), lo}};
      return out;
    }
    if (r.type == "ColumnValues") {
      if (!c) throw std::runtime_error("ColumnValues needs a condition");
      double v = scalar("SELECT CASE WHEN count(*) = 0 THEN 1.0 ELSE count(*) FILTER (WHERE " +
                        rowCondition(column(r), *c) + ")::DOUBLE / count(*) END FROM " + from);
      std::map<std::string, double> m = {{columnKey("ColumnValues.Compliance"), v}};
      return r.threshold ? judged(v, &*r.threshold, m) : judged(v, nullptr, m, true);
    }
    if (analyzing_ && (r.type == "Minimum" || r.type == "Maximum")) {
      double v = scalar("SELECT " + std::string(r.type == "Minimum" ? "min" : "max") + "(" +
                        column(r) + ")::DOUBLE FROM " + from);
      return judged(v, c, {{columnKey(r.type), v}});
    }
    if (r.type == "Median") {
      // The lower middle value, as Spark's percentile_approx gives it.
      double v = scalar("SELECT quantile_disc(" + column(r) + "::DOUBLE, 0.5) FROM " + from);
      return judged(v, c, {{columnKey("Median"), v}});
    }
    if (r.type == "ColumnNamesMatchPattern") {
      if (r.parameters.empty()) throw std::runtime_error("ColumnNamesMatchPattern needs a pattern");
      std::regex pattern;
      try {
        pattern = std::regex(r.parameters[0]);
      } catch (const std::regex_error&) {
        throw std::runtime_error("the pattern " + r.parameters[0] + " is not a regular expression");
      }
      const auto& cols = columns();
      double matching = 0;
      for (const auto& col : cols) matching += std::regex_match(col, pattern) ? 1 : 0;
      double v = cols.empty() ? 1.0 : matching / static_cast<double>(cols.size());
      return judged(v, nullptr, {{"Dataset.*.ColumnNamesPatternMatchRatio", v}}, true);
    }
    if (r.type == "ColumnDataType") {
      // The share of the column's values that read as the type.
      if (!c || (c->op != "=" && c->op != "in") || c->negated) {
        throw std::runtime_error("ColumnDataType needs = \"TYPE\" or in [\"TYPE\", ...]");
      }
      const std::map<std::string, std::string> types = {
          {"BOOLEAN", "BOOLEAN"}, {"DATE", "DATE"},     {"TIMESTAMP", "TIMESTAMP"},
          {"INTEGER", "INTEGER"}, {"LONG", "BIGINT"},   {"DOUBLE", "DOUBLE"},
          {"FLOAT", "FLOAT"},     {"STRING", "VARCHAR"}};
      std::string col = column(r), readable;
      for (const auto& name : c->values) {
        std::string upper = name;
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        auto it = types.find(upper);
        if (it == types.end()) throw std::runtime_error("unknown data type " + name);
        readable += std::string(readable.empty() ? "" : " OR ") + "try_cast(CAST(" + col +
                    " AS VARCHAR) AS " + it->second + ") IS NOT NULL";
      }
      double v =
          scalar("SELECT CASE WHEN count(" + col + ") = 0 THEN 1.0 ELSE count(*) FILTER (WHERE " +
                 readable + ")::DOUBLE / count(" + col + ") END FROM " + from);
      std::map<std::string, double> m = {{columnKey("ColumnDataType.Compliance"), v}};
      return r.threshold ? judged(v, &*r.threshold, m) : judged(v, nullptr, m, true);
    }
    if (r.type == "DataFreshness") {
      // Each row's age in hours at `now`; a NULL row fails.
      if (!c || !c->duration) {
        throw std::runtime_error("DataFreshness needs a condition in hours or days");
      }
      double nowSeconds = std::chrono::duration<double>(now_.time_since_epoch()).count();
      std::string age =
          "((" + shown(nowSeconds) + " - epoch(CAST(" + column(r) + " AS TIMESTAMP))) / 3600.0)";
      double v = scalar("SELECT CASE WHEN count(*) = 0 THEN 1.0 ELSE count(*) FILTER (WHERE " +
                        column(r) + " IS NOT NULL AND " + rowCondition(age, *c) +
                        ")::DOUBLE / count(*) END FROM " + from);
      Outcome out;
      out.metrics = {{columnKey("DataFreshness.Compliance"), v}};
      bool pass = r.threshold ? holds(*r.threshold, v) : v == 1.0;
      if (!pass) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f %% of rows passed the threshold", v * 100);
        out.result = "FAIL";
        out.message = buf;
      }
      return out;
    }
    if (r.type == "RowCountMatch" || r.type == "ReferentialIntegrity" || r.type == "DatasetMatch" ||
        r.type == "SchemaMatch" || r.type == "AggregateMatch") {
      return referenceRule(r, c);
    }
    if (r.type == "CustomSql") {
      if (r.parameters.empty()) throw std::runtime_error("CustomSql needs its statement");
      if (!c) throw std::runtime_error("Sluice evaluates CustomSql with a condition on its value");
      // The statement reads the data as `primary`.
      std::string sql =
          "WITH \"primary\" AS (SELECT * FROM " + from + ") " + quotePrimary(r.parameters[0]);
      double v = scalar(sql);
      return judged(v, c, {{"Dataset.*.CustomSQL", v}});
    }
    throw std::runtime_error("Rule type " + r.type + " is not supported by Sluice yet");
  }

  // The rules that compare the data with a reference dataset, named by the
  // alias it was given (AdditionalDataSources).
  Outcome referenceRule(const DqRule& r, const DqCondition* c) {
    auto param = [&](size_t i) -> const std::string& {
      if (i >= r.parameters.size()) throw std::runtime_error(r.type + " needs more parameters");
      return r.parameters[i];
    };
    if (!c) throw std::runtime_error("the rule needs a condition");
    if (r.type == "RowCountMatch") {
      std::string ref = reference(param(0));
      double primary = scalar("SELECT count(*) FROM " + relation_);
      double other = scalar("SELECT count(*) FROM " + ref);
      if (other == 0) throw std::runtime_error("The reference dataset " + param(0) + " is empty");
      double v = primary / other;
      return judged(v, c, {{"Dataset.*.RowCountMatch", v}});
    }
    if (r.type == "ReferentialIntegrity") {
      // "a,b" "alias.{x,y}" (or "alias.x"): the share of rows whose values
      // are among the reference's.
      std::vector<std::string> mine = splitList(param(0));
      const std::string& target = param(1);
      size_t brace = target.find(".{");
      std::string alias, cols;
      if (brace != std::string::npos && target.back() == '}') {
        alias = target.substr(0, brace);
        cols = target.substr(brace + 2, target.size() - brace - 3);
      } else if (size_t dot = target.rfind('.'); dot != std::string::npos) {
        alias = target.substr(0, dot);
        cols = target.substr(dot + 1);
      } else {
        throw std::runtime_error("ReferentialIntegrity needs the reference as alias.column");
      }
      std::vector<std::string> theirs = splitList(cols);
      if (mine.size() != theirs.size()) {
        throw std::runtime_error("ReferentialIntegrity needs as many reference columns as columns");
      }
      std::string ref = reference(alias);
      std::string on;
      for (size_t i = 0; i < mine.size(); ++i) {
        on += std::string(i ? " AND " : "") + "r." + columnOf(ref, theirs[i]) + " = p." +
              columnOf(relation_, mine[i]);
      }
      double v = scalar(
          "SELECT CASE WHEN count(*) = 0 THEN 1.0 ELSE count(*) FILTER (WHERE EXISTS (SELECT 1 "
          "FROM " +
          ref + " r WHERE " + on + "))::DOUBLE / count(*) END FROM " + relation_ + " p");
      return judged(v, c, {{"Column." + param(0) + ".ReferentialIntegrity", v}});
    }
    if (r.type == "DatasetMatch") {
      std::string ref = reference(param(0));
      auto keys = mappings(param(1));
      std::string on, pk, rk;
      for (size_t i = 0; i < keys.size(); ++i) {
        std::string a = "p." + columnOf(relation_, keys[i].first);
        std::string b = "r." + columnOf(ref, keys[i].second);
        on += std::string(i ? " AND " : "") + a + " = " + b;
        pk += std::string(i ? ", " : "") + a;
        rk += std::string(i ? ", " : "") + b;
      }
      // The keys must be a primary key of both datasets.
      auto unsuitable = [&](const std::string& rel, const std::string& alias,
                            const std::string& cols) {
        std::string nulls;
        for (const auto& k : keys) {
          const std::string& name = alias == "p" ? k.first : k.second;
          nulls += " OR " + alias + "." + columnOf(rel, name) + " IS NULL";
        }
        return scalar("SELECT count(*) - count(DISTINCT (" + cols +
                      ")) + count(*) FILTER (WHERE "
                      "false" +
                      nulls + ") FROM " + rel + " " + alias) > 0;
      };
      if (unsuitable(relation_, "p", pk) || unsuitable(ref, "r", rk)) {
        throw std::runtime_error("Provided key map not suitable for given data frames.");
      }
      // The columns compared: those given, or every other column (which the
      // reference must have by the same names).
      std::vector<std::pair<std::string, std::string>> compared;
      if (r.parameters.size() > 2) {
        compared = mappings(r.parameters[2]);
      } else {
        std::set<std::string> keyNames;
        for (const auto& k : keys) keyNames.insert(k.first);
        for (const auto& name : columns()) {
          if (!keyNames.count(name)) compared.emplace_back(name, name);
        }
      }
      std::string same = "true";
      for (const auto& [a, b] : compared) {
        same += " AND p." + columnOf(relation_, a) + " IS NOT DISTINCT FROM r." + columnOf(ref, b);
      }
      double v =
          scalar("SELECT CASE WHEN (SELECT count(*) FROM " + relation_ +
                 ") = 0 THEN 1.0 ELSE count(*)::DOUBLE / (SELECT count(*) FROM " + relation_ +
                 ") END FROM " + relation_ + " p JOIN " + ref + " r ON " + on + " WHERE " + same);
      return judged(v, c, {{"Dataset.*.DatasetMatch", v}});
    }
    if (r.type == "SchemaMatch") {
      // Columns of the same name and type in both, over the columns of the
      // data.
      std::string ref = reference(param(0));
      auto types = [&](const std::string& rel) {
        auto res = con_.query("DESCRIBE SELECT * FROM " + rel);
        if (!res) throw std::runtime_error(res.error().message);
        std::map<std::string, std::string> out;
        for (size_t i = 0; i < res->rowCount(); ++i) {
          out[res->value(i, 0).value_or("")] = res->value(i, 1).value_or("");
        }
        return out;
      };
      auto mine = types(relation_), theirs = types(ref);
      size_t same = 0;
      for (const auto& [name, type] : mine) {
        auto it = theirs.find(name);
        if (it != theirs.end() && it->second == type) ++same;
      }
      double v = mine.empty() ? 1.0 : static_cast<double>(same) / static_cast<double>(mine.size());
      return judged(v, c, {{"Dataset.*.SchemaMatch", v}});
    }
    // AggregateMatch "sum(a)" "avg(alias.b)": the first over the second.
    auto aggregate = [&](const std::string& text, std::string& column) {
      size_t open = text.find('('), close = text.rfind(')');
      if (open == std::string::npos || close == std::string::npos || close < open) {
        throw std::runtime_error("AggregateMatch needs aggregations such as \"sum(amount)\"");
      }
      std::string fn = text.substr(0, open);
      std::transform(fn.begin(), fn.end(), fn.begin(), ::tolower);
      if (fn != "sum" && fn != "avg") {
        throw std::runtime_error("AggregateMatch supports sum and avg, not " + fn);
      }
      std::string arg = text.substr(open + 1, close - open - 1);
      std::string rel = relation_;
      column = arg;
      if (size_t dot = arg.rfind('.'); dot != std::string::npos) {
        rel = reference(arg.substr(0, dot));
        column = arg.substr(dot + 1);
      }
      return scalar("SELECT " + fn + "(" + columnOf(rel, column) + ")::DOUBLE FROM " + rel);
    };
    std::string first, second;
    double a = aggregate(param(0), first), b = aggregate(param(1), second);
    if (b == 0 || std::isnan(b)) {
      throw std::runtime_error("The second aggregation of AggregateMatch is " +
                               std::string(b == 0 ? "0" : "NULL"));
    }
    double v = a / b;
    std::string key = first == second ? first : first + "," + second;
    return judged(v, c, {{"Column." + key + ".AggregateMatch", v}});
  }

  // The relation of a reference dataset: by its alias, or, as in the Data
  // Catalog, by "database.table".
  std::string reference(const std::string& alias) {
    if (auto it = references_.find(alias); it != references_.end()) return it->second;
    for (const auto& [name, rel] : references_) {
      if (asciiLower(name) == asciiLower(alias)) return rel;
    }
    throw std::runtime_error("The reference dataset " + alias +
                             " is not among the additional data sources");
  }

  // Column `name` of `rel` as an identifier (names match case-insensitively).
  std::string columnOf(const std::string& rel, const std::string& name) {
    if (rel == relation_) {
      DqRule probe;
      probe.parameters = {name};
      return column(probe);
    }
    auto r = con_.query("DESCRIBE SELECT * FROM " + rel);
    if (!r) throw std::runtime_error(r.error().message);
    for (size_t i = 0; i < r->rowCount(); ++i) {
      std::string c = r->value(i, 0).value_or("");
      if (asciiLower(c) == asciiLower(name)) return sqlIdent(c);
    }
    throw std::runtime_error("Column " + name + " does not exist in the reference dataset");
  }

  // "a->x,b" as {a, x}, {b, b}.
  static std::vector<std::pair<std::string, std::string>> mappings(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& part : splitList(text)) {
      size_t arrow = part.find("->");
      if (arrow == std::string::npos) {
        out.emplace_back(part, part);
      } else {
        out.emplace_back(part.substr(0, arrow), part.substr(arrow + 2));
      }
    }
    if (out.empty()) throw std::runtime_error("DatasetMatch needs key columns");
    return out;
  }

  // `primary` (a reserved word in DuckDB) as a quoted name.
  static std::string quotePrimary(const std::string& sql) {
    std::string out;
    for (size_t i = 0; i < sql.size();) {
      bool start =
          i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_');
      std::string w = sql.substr(i, 7);
      std::transform(w.begin(), w.end(), w.begin(), ::tolower);
      bool end = i + 7 >= sql.size() ||
                 !(std::isalnum(static_cast<unsigned char>(sql[i + 7])) || sql[i + 7] == '_');
      if (start && end && w == "primary") {
        out += "\"primary\"";
        i += 7;
      } else {
        out += sql[i++];
      }
    }
    return out;
  }

  DuckConnection& con_;
  std::string relation_;
  TimePoint now_;
  bool analyzing_ = false;  // evaluating an analyzer: no condition needed
  const std::map<std::string, std::string>& references_;
  std::optional<std::vector<std::string>> columns_;
};

}  // namespace

Result<DqRuleset> parseDqdl(std::string_view text) {
  return Parser(text).ruleset();
}

namespace {

// Each rule (or analyzer) through `run`, named `<prefix>_<n>` and described
// by its text.
std::vector<DqRuleResult> outcomes(const std::vector<DqRule>& rules, const std::string& prefix,
                                   const std::function<Evaluator::Outcome(const DqRule&)>& run) {
  std::vector<DqRuleResult> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    auto o = run(rules[i]);
    out.push_back(DqRuleResult{prefix + "_" + std::to_string(i + 1), rules[i].text, o.result,
                               o.message, std::move(o.metrics)});
  }
  return out;
}

}  // namespace

std::vector<DqRuleResult> evaluateDqdl(DuckConnection& con, const std::string& relation,
                                       const DqRuleset& ruleset, TimePoint now,
                                       const std::map<std::string, std::string>& references) {
  Evaluator eval(con, relation, now, references);
  return outcomes(ruleset.rules, "Rule", [&](const DqRule& r) { return eval.rule(r); });
}

std::string rowLevelOutcomesSql(DuckConnection& con, const std::string& relation,
                                const DqRuleset& ruleset, TimePoint now) {
  Evaluator eval(con, relation, now, {});
  std::string judged, pass, fail, skip, skipped;
  size_t n = 0;
  for (const auto& r : ruleset.rules) {
    auto e = eval.rowOutcome(r);
    std::string text = sqlString(r.text);
    if (!e) {
      skipped += (skipped.empty() ? "" : ", ") + text;
      continue;
    }
    std::string v = "__dq_rule_" + std::to_string(++n);
    judged += ", " + *e + " AS " + v;
    pass += ", CASE WHEN " + v + " THEN " + text + " END";
    fail += ", CASE WHEN NOT " + v + " THEN " + text + " END";
    skip += ", CASE WHEN " + v + " IS NULL THEN " + text + " END";
  }
  // The judged rules' names where they hold (fail, do not apply), then the
  // rules about the whole dataset, which no row is judged by.
  auto names = [](const std::string& list, const std::string& always) {
    std::string all = "list_filter([NULL::VARCHAR" + list + "], x -> x IS NOT NULL)";
    return always.empty() ? all : "list_concat(" + all + ", [" + always + "])";
  };
  std::string exclude;
  for (size_t i = 1; i <= n; ++i) {
    exclude += (i > 1 ? ", " : "") + std::string("__dq_rule_") + std::to_string(i);
  }
  return "SELECT *, CASE WHEN len(DataQualityRulesFail) = 0 THEN 'Passed' ELSE 'Failed' END AS "
         "DataQualityEvaluationResult FROM (SELECT * " +
         (exclude.empty() ? "" : "EXCLUDE (" + exclude + ") ") + ", " + names(pass, "") +
         " AS DataQualityRulesPass, " + names(fail, "") + " AS DataQualityRulesFail, " +
         names(skip, skipped) + " AS DataQualityRulesSkip FROM (SELECT *" + judged + " FROM " +
         relation + "))";
}

Result<DqRowCounts> countDqRows(DuckConnection& con, const std::string& relation,
                                const DqRuleset& ruleset, TimePoint now) {
  auto r = con.query(
      "SELECT count(*), count(*) FILTER (WHERE DataQualityEvaluationResult = 'Passed') FROM (" +
      rowLevelOutcomesSql(con, relation, ruleset, now) + ")");
  if (!r) return r.error();
  DqRowCounts counts;
  counts.processed = number(r->value(0, 0).value_or("0"));
  counts.passed = number(r->value(0, 1).value_or("0"));
  counts.failed = counts.processed - counts.passed;
  return counts;
}

std::vector<DqRuleResult> analyzeDqdl(DuckConnection& con, const std::string& relation,
                                      const DqRuleset& ruleset, TimePoint now,
                                      const std::map<std::string, std::string>& references) {
  Evaluator eval(con, relation, now, references);
  return outcomes(ruleset.analyzers, "Analyzer", [&](const DqRule& r) { return eval.analyze(r); });
}

}  // namespace sluice::lake
