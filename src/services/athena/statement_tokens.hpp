// Reading the head of a statement Athena's SQL engine does not parse for us
// (CREATE TABLE AS, INSERT INTO, Hive DDL): words, "quoted" identifiers,
// 'strings' and symbols, each with where it starts.
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"
#include "services/athena/query_run.hpp"

namespace sluice::services::athena {

inline std::string lowerText(std::string_view s) {
  return asciiLower(s);
}

// The head of a statement, token by token: words, "quoted" identifiers,
// 'strings' and single-character symbols, each with where it starts.
struct Token {
  enum Kind { Word, Ident, String, Symbol, End } kind = End;
  std::string text;
  size_t at = 0;
};

class Tokens {
 public:
  explicit Tokens(std::string_view sql) : sql_(sql) {}
  Token next() {
    skipBlank();
    Token t;
    t.at = pos_;
    if (pos_ >= sql_.size()) return t;
    char c = sql_[pos_];
    if (c == '"' || c == '\'' || c == '`') {
      t.kind = c == '\'' ? Token::String : Token::Ident;
      ++pos_;
      while (pos_ < sql_.size()) {
        if (sql_[pos_] == c && pos_ + 1 < sql_.size() && sql_[pos_ + 1] == c) {
          t.text += c;
          pos_ += 2;
        } else if (sql_[pos_] == c) {
          ++pos_;
          break;
        } else {
          t.text += sql_[pos_++];
        }
      }
      return t;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Word;
      while (pos_ < sql_.size() &&
             (std::isalnum(static_cast<unsigned char>(sql_[pos_])) || sql_[pos_] == '_')) {
        t.text += sql_[pos_++];
      }
      return t;
    }
    t.kind = Token::Symbol;
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
  bool keyword(std::string_view word) {
    Token t = peek();
    if (t.kind != Token::Word || lowerText(t.text) != word) return false;
    next();
    return true;
  }
  bool symbol(char c) {
    Token t = peek();
    if (t.kind != Token::Symbol || t.text[0] != c) return false;
    next();
    return true;
  }
  size_t position() {
    skipBlank();
    return pos_;
  }

 private:
  void skipBlank() {
    for (;;) {
      while (pos_ < sql_.size() && std::isspace(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
      if (sql_.substr(pos_).starts_with("--")) {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') ++pos_;
      } else if (sql_.substr(pos_).starts_with("/*")) {
        auto end = sql_.find("*/", pos_);
        pos_ = end == std::string_view::npos ? sql_.size() : end + 2;
      } else {
        return;
      }
    }
  }
  std::string_view sql_;
  size_t pos_ = 0;
};

// Athena's name patterns (SHOW TABLES 'x*', ListTableMetadata's Expression):
// `*` any characters, `|` alternatives; as an ECMAScript regular expression.
std::string namePatternRegex(std::string_view pattern);

// A SYNTAX_ERROR at character `at` of the statement.
QueryOutcome syntaxError(std::string_view sql, size_t at, const std::string& what);

struct TableName {
  std::string db, name;
};
// [awsdatacatalog.][db.]name, lower-cased; nullopt when not a name.
std::optional<TableName> readTableName(Tokens& t, const std::string& defaultDb);

}  // namespace sluice::services::athena
