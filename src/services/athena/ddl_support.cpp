#include "services/athena/ddl_support.hpp"

#include "services/athena/athena_results.hpp"
#include "services/common/call_and_wait.hpp"

namespace sluice::services::athena {

QueryOutcome ddlFailure(std::string reason) {
  return queryFailure(1003, "FAILED: " + std::move(reason));
}

QueryOutcome textResult(const std::string& column, std::vector<std::string> lines) {
  QueryOutcome o;
  o.columns.push_back(columnInfo(column, "VARCHAR"));
  o.textLines = std::move(lines);
  return o;
}

QueryOutcome noResult() {
  QueryOutcome o;
  o.textLines = std::vector<std::string>{};
  return o;
}

Result<Json> glue(const OperationRegistry& registry, const QueryJob& job, std::string_view op,
                  Json in) {
  return callAndWait(registry, job.scope, "glue", op, in);
}

// Every page of a Glue listing.
Result<JsonArray> all(const OperationRegistry& registry, const QueryJob& job, std::string_view op,
                      JsonObject in, const char* member) {
  JsonArray out;
  for (;;) {
    auto page = glue(registry, job, op, in);
    if (!page) return page.error();
    for (const Json& v : page->as_object().at(member).as_array()) out.push_back(v);
    const Json* token = page->as_object().if_contains("NextToken");
    if (!token || !token->is_string()) return out;
    in["NextToken"] = *token;
  }
}

std::string readType(Tokens& t) {
  std::string type;
  int depth = 0;
  for (;;) {
    Token p = t.peek();
    if (p.kind == Token::End) break;
    if (p.kind == Token::Symbol && depth == 0 && (p.text == "," || p.text == ")")) break;
    if (p.kind == Token::Word && depth == 0 && lowerText(p.text) == "comment") break;
    t.next();
    if (p.text == "<" || p.text == "(") ++depth;
    if (p.text == ">" || p.text == ")") --depth;
    type += lowerText(p.text);
  }
  return type;
}

std::optional<JsonArray> readColumns(Tokens& t) {
  if (!t.symbol('(')) return std::nullopt;
  JsonArray columns;
  do {
    Token name = t.next();
    if (name.kind != Token::Word && name.kind != Token::Ident) return std::nullopt;
    std::string type = readType(t);
    if (type.empty()) return std::nullopt;
    JsonObject c{{"Name", lowerText(name.text)}, {"Type", type}};
    if (t.keyword("comment")) c["Comment"] = t.next().text;
    columns.push_back(std::move(c));
  } while (t.symbol(','));
  if (!t.symbol(')')) return std::nullopt;
  return columns;
}

std::optional<JsonObject> readProperties(Tokens& t) {
  if (!t.symbol('(')) return std::nullopt;
  JsonObject out;
  do {
    Token k = t.next();
    if (!t.symbol('=')) return std::nullopt;
    Token v = t.next();
    out[k.text] = v.text;
  } while (t.symbol(','));
  if (!t.symbol(')')) return std::nullopt;
  return out;
}

}  // namespace sluice::services::athena
