#include "services/athena/prepared_sql.hpp"

#include <variant>

#include "services/athena/statement_tokens.hpp"
#include "services/common/call_and_wait.hpp"

namespace sluice::services::athena {

namespace {

// Where each `?` placeholder is, skipping strings, quoted names, comments.
std::vector<size_t> placeholders(std::string_view sql) {
  std::vector<size_t> at;
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      for (++i; i < sql.size(); ++i) {
        if (sql[i] != c) continue;
        if (i + 1 < sql.size() && sql[i + 1] == c) {
          ++i;
          continue;
        }
        break;
      }
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      auto nl = sql.find('\n', i);
      i = nl == std::string_view::npos ? sql.size() : nl;
    } else if (sql.substr(i, 2) == "/*") {
      auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      if (c == '?') at.push_back(i);
      ++i;
    }
  }
  return at;
}

// The comma-separated values after USING, as written.
std::vector<std::string> usingValues(std::string_view list) {
  std::vector<std::string> values;
  int depth = 0;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= list.size(); ++i) {
    char c = i < list.size() ? list[i] : ',';
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (c == ',' && depth == 0) {
      std::string_view v = list.substr(start, i - start);
      while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
      while (!v.empty() && (std::isspace(static_cast<unsigned char>(v.back())) || v.back() == ';'))
        v.remove_suffix(1);
      values.emplace_back(v);
      start = i + 1;
    }
  }
  return values;
}

QueryOutcome failedWith(int type, std::string reason) {
  return queryFailure(type, std::move(reason));
}

// A prepared-statement operation's failure as the query's.
QueryOutcome operationFailure(const AwsError& e) {
  if (e.code == "ResourceNotFoundException") return failedWith(1301, e.message);
  return failedWith(1100, e.message);
}

}  // namespace

std::variant<std::string, QueryOutcome> bindParameters(std::string_view sql,
                                                       const std::vector<std::string>& values) {
  auto at = placeholders(sql);
  if (at.size() != values.size()) {
    return failedWith(1100, "INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected " +
                                std::to_string(at.size()) + " but found " +
                                std::to_string(values.size()));
  }
  std::string out;
  size_t from = 0;
  for (size_t i = 0; i < at.size(); ++i) {
    out.append(sql.substr(from, at[i] - from));
    out += values[i];
    from = at[i] + 1;
  }
  out.append(sql.substr(from));
  return out;
}

std::optional<QueryOutcome> runPreparedStatementSql(const OperationRegistry& registry,
                                                    lake::LakeEngine& lake, const QueryJob& job,
                                                    lake::LakeCancel& cancel) {
  Tokens t(job.sql);
  auto nameAfter = [&](size_t& at) -> std::optional<std::string> {
    at = t.position();
    Token n = t.next();
    if (n.kind != Token::Word && n.kind != Token::Ident) return std::nullopt;
    return n.text;
  };
  size_t at = 0;
  if (t.keyword("prepare")) {
    auto name = nameAfter(at);
    if (!name) return syntaxError(job.sql, at, "expected the statement's name");
    if (!t.keyword("from")) return syntaxError(job.sql, t.position(), "expected FROM");
    std::string statement(std::string_view(job.sql).substr(t.position()));
    while (!statement.empty() &&
           (std::isspace(static_cast<unsigned char>(statement.back())) || statement.back() == ';'))
      statement.pop_back();
    JsonObject request{
        {"StatementName", *name}, {"WorkGroup", job.workgroup}, {"QueryStatement", statement}};
    // PREPARE replaces a statement of the same name.
    auto made = callAndWait(registry, job.scope, "athena", "CreatePreparedStatement", request);
    if (!made && made.error().code == "InvalidRequestException" &&
        made.error().message.find("already exists") != std::string::npos) {
      made = callAndWait(registry, job.scope, "athena", "UpdatePreparedStatement", request);
    }
    if (!made) return operationFailure(made.error());
    QueryOutcome done;
    done.textLines = std::vector<std::string>{};
    return done;
  }
  if (t.keyword("deallocate")) {
    if (!t.keyword("prepare")) return syntaxError(job.sql, t.position(), "expected PREPARE");
    auto name = nameAfter(at);
    if (!name) return syntaxError(job.sql, at, "expected the statement's name");
    auto gone = callAndWait(registry, job.scope, "athena", "DeletePreparedStatement",
                            JsonObject{{"StatementName", *name}, {"WorkGroup", job.workgroup}});
    if (!gone) return operationFailure(gone.error());
    QueryOutcome done;
    done.textLines = std::vector<std::string>{};
    return done;
  }
  if (t.keyword("execute")) {
    auto name = nameAfter(at);
    if (!name) return syntaxError(job.sql, at, "expected the statement's name");
    std::vector<std::string> values = job.parameters;
    if (t.keyword("using")) {
      values = usingValues(std::string_view(job.sql).substr(t.position()));
    } else if (Token rest = t.next();
               rest.kind != Token::End && !(rest.kind == Token::Symbol && rest.text == ";")) {
      return syntaxError(job.sql, rest.at, "expected USING or the end of the statement");
    }
    auto got = callAndWait(registry, job.scope, "athena", "GetPreparedStatement",
                           JsonObject{{"StatementName", *name}, {"WorkGroup", job.workgroup}});
    if (!got) return operationFailure(got.error());
    const Json* text = jsonAt(*got, {"PreparedStatement", "QueryStatement"});
    auto bound = bindParameters(text && text->is_string() ? text->as_string() : "", values);
    if (auto* f = std::get_if<QueryOutcome>(&bound)) return *f;
    QueryJob inner = job;
    inner.sql = std::get<std::string>(std::move(bound));
    inner.parameters.clear();
    return runQuery(registry, lake, inner, cancel);
  }
  return std::nullopt;
}

}  // namespace sluice::services::athena
