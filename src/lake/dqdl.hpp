// DQDL, Glue Data Quality's rule language: a ruleset read into rules (with
// errors that say where), and each rule evaluated over a DuckDB relation as
// Glue evaluates it (Deequ's metrics: completeness and uniqueness as
// fractions of the rows, standard deviation of the population, ...).
//
//   auto rules = parseDqdl("Rules = [ RowCount > 10, IsComplete \"id\" ]");
//   auto results = evaluateDqdl(con, "my_view", *rules);
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "lake/duckdb.hpp"

namespace sluice::lake {

// A rule's condition: `> 10`, `between 1 and 5`, `in ["a", "b"]`,
// `matches "x.*"`, `= "text"`; `not` inverts between / in / matches.
struct DqCondition {
  std::string op;  // = != > >= < <= between in matches
  bool negated = false;
  std::vector<std::string> values;  // numbers as written, strings unquoted
  bool strings = false;             // the values were quoted
  bool duration = false;            // the values were durations, given here in hours
};

struct DqRule {
  // A simple rule: its type and parameters; a composite: `and` / `or` over
  // its parts.
  std::string type;
  std::vector<std::string> parameters;
  std::optional<DqCondition> condition;
  std::optional<DqCondition> threshold;  // with threshold <condition>
  std::string where;                     // where "<sql>"
  std::string composite;                 // "and", "or" or empty
  std::vector<DqRule> parts;
  std::string text;  // the rule as written (its Description)
};

struct DqRuleset {
  std::vector<DqRule> rules;
  std::vector<DqRule> analyzers;
};

// The ruleset, or InvalidInputException naming the line and column.
Result<DqRuleset> parseDqdl(std::string_view text);

struct DqRuleResult {
  std::string name;                       // Rule_1, Rule_2, ...
  std::string description;                // the rule as written
  std::string result;                     // PASS, FAIL or ERROR
  std::string message;                    // EvaluationMessage (empty when it passes)
  std::map<std::string, double> metrics;  // EvaluatedMetrics
};

// Every rule evaluated over `relation` (a table or view name, or a
// parenthesised query) on `con`; `now` is the time DataFreshness measures
// ages from. `references` are the reference datasets the multi-dataset
// rules (RowCountMatch, ReferentialIntegrity, DatasetMatch, SchemaMatch,
// AggregateMatch) name, as relations by alias.
std::vector<DqRuleResult> evaluateDqdl(DuckConnection& con, const std::string& relation,
                                       const DqRuleset& ruleset, TimePoint now,
                                       const std::map<std::string, std::string>& references = {});

// A query giving the rows of `relation` with Glue's row-level outcomes (the
// rowLevelOutcomes frame of an EvaluateDataQuality node): each row's columns
// then DataQualityRulesPass, DataQualityRulesFail and DataQualityRulesSkip
// (the texts of the rules it passes, fails, and that do not judge it — a
// rule about the whole dataset, or one whose `where` leaves the row out)
// and DataQualityEvaluationResult, "Failed" when it fails any rule.
std::string rowLevelOutcomesSql(DuckConnection& con, const std::string& relation,
                                const DqRuleset& ruleset, TimePoint now);

// How many rows the rules judged by row left passing and failing (a
// result's AggregatedMetrics): every row is processed; one that fails no
// rule passes.
struct DqRowCounts {
  double processed = 0, passed = 0, failed = 0;
};
Result<DqRowCounts> countDqRows(DuckConnection& con, const std::string& relation,
                                const DqRuleset& ruleset, TimePoint now);

// The ruleset's Analyzers (Analyzer_1, ...): each one's metrics, without a
// condition to meet; result ERROR with the message when it cannot be
// computed. AllStatistics "c" gives all of a column's.
std::vector<DqRuleResult> analyzeDqdl(DuckConnection& con, const std::string& relation,
                                      const DqRuleset& ruleset, TimePoint now,
                                      const std::map<std::string, std::string>& references = {});

}  // namespace sluice::lake
