#include "services/athena/statement_tokens.hpp"

namespace sluice::services::athena {

std::string namePatternRegex(std::string_view pattern) {
  std::string re;
  for (char c : pattern) {
    if (c == '*') {
      re += ".*";
    } else if (c == '|') {
      re += '|';
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      re += c;
    } else {
      re += std::string("\\") + c;
    }
  }
  return re;
}

QueryOutcome syntaxError(std::string_view sql, size_t at, const std::string& what) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < at && i < sql.size(); ++i) {
    if (sql[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return queryFailure(
      1006, "SYNTAX_ERROR: line " + std::to_string(line) + ":" + std::to_string(col) + ": " + what);
}

std::optional<TableName> readTableName(Tokens& t, const std::string& defaultDb) {
  std::vector<std::string> parts;
  for (;;) {
    Token p = t.next();
    if (p.kind != Token::Word && p.kind != Token::Ident) return std::nullopt;
    parts.push_back(lowerText(p.text));
    if (!t.symbol('.')) break;
  }
  if (parts.size() == 3 && parts[0] != "awsdatacatalog") return std::nullopt;
  if (parts.size() > 3) return std::nullopt;
  TableName n;
  n.name = parts.back();
  n.db = parts.size() >= 2 ? parts[parts.size() - 2] : lowerText(defaultDb);
  return n;
}

}  // namespace sluice::services::athena
