#include "services/glue/job_execution.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "lake/dqdl.hpp"
#include "lake/exclusion_glob.hpp"
#include "lake/glue_types.hpp"
#include "lake/trino_sql.hpp"
#include "services/common/call_and_wait.hpp"
#include "services/common/catalog_reads.hpp"
#include "services/common/lake_writes.hpp"

namespace sluice::services::glue {

namespace {

// A node's output: a view whose columns are c0, c1, ... (so names that
// differ only in case, as Glue's frames allow, never clash in DuckDB) and
// the names Glue gives them.
struct Relation {
  std::string view;
  std::vector<std::string> columns;
};

// The frames of a Data Quality node's collection, kept beside its own
// relation under the node's id and these suffixes.
constexpr const char* kRuleOutcomes = "#ruleOutcomes";
constexpr const char* kRowLevelOutcomes = "#rowLevelOutcomes";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string col(size_t i) {
  return "c" + std::to_string(i);
}

// A column by its Glue name: the same case first, then any case.
std::optional<size_t> findColumn(const Relation& r, std::string_view name) {
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (r.columns[i] == name) return i;
  }
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (lower(r.columns[i]) == lower(name)) return i;
  }
  return std::nullopt;
}

// A Glue Studio path (["a"] or ["a", "b"] into a struct) as SQL over the
// relation's columns; nullopt when the first part is not a column.
std::optional<std::string> pathSql(const Relation& r, const Json& path) {
  if (!path.is_array() || path.as_array().empty()) return std::nullopt;
  auto at = findColumn(r, jsonString(&path.as_array()[0]));
  if (!at) return std::nullopt;
  std::string sql = col(*at);
  for (size_t i = 1; i < path.as_array().size(); ++i) {
    sql += "." + lake::sqlIdent(jsonString(&path.as_array()[i]));
  }
  return sql;
}

std::string pathName(const Json& path) {
  std::string out;
  if (path.is_array()) {
    for (const Json& p : path.as_array()) out += (out.empty() ? "" : ".") + jsonString(&p);
  }
  return out;
}

AwsError failure(std::string message) {
  return AwsError{"JobRunFailed", std::move(message), 400};
}

// `SELECT expr AS c0, ...` over `from`, as the node's relation.
std::string selectAs(const std::vector<std::string>& exprs, const std::string& from) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < exprs.size(); ++i) sql += (i ? ", " : "") + exprs[i] + " AS " + col(i);
  if (exprs.empty()) sql += "NULL AS c0";
  return sql + " FROM " + from;
}

// A literal of a Filter's CONSTANT: a number as a number, else a string.
std::string constantSql(const std::string& v) {
  if (!v.empty()) {
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    if (end && *end == '\0' && v.find_first_not_of("0123456789.-+eE") == std::string::npos) {
      return v;
    }
  }
  return lake::sqlString(v);
}

// A source's job bookmark: the newest modification time the last successful
// run read and the objects that had it. An object older than that, or of
// that time and already read, is not read again (Glue tracks S3 objects by
// their last-modified time: a rewritten object is read again).
class SourceBookmark {
 public:
  explicit SourceBookmark(const Json* previous) {
    if (!previous) return;
    if (const Json* max = jsonAt(*previous, {"max"})) since_ = toInteger(*max).value_or(-1);
    newest_ = since_;
    if (const Json* keys = jsonAt(*previous, {"seen"}); keys && keys->is_array()) {
      for (const Json& k : keys->as_array()) seen_.insert(jsonString(&k));
    }
  }

  // Whether the object is new to the bookmark; every object seen moves it.
  bool fresh(const std::string& uri, TimePoint lastModified) {
    int64_t modified =
        std::chrono::duration_cast<std::chrono::milliseconds>(lastModified.time_since_epoch())
            .count();
    if (modified > newest_) {
      newest_ = modified;
      atNewest_.clear();
    }
    if (modified == newest_) atNewest_.push_back(uri);
    return !(modified < since_ || (modified == since_ && seen_.count(uri)));
  }

  // The bookmark after this run.
  Json state() const {
    JsonArray keys;
    for (const auto& k : atNewest_) keys.push_back(Json(k));
    return JsonObject{{"max", newest_}, {"seen", std::move(keys)}};
  }

 private:
  int64_t since_ = -1, newest_ = -1;
  std::set<std::string> seen_;
  std::vector<std::string> atNewest_;
};

class Run {
 public:
  Run(const OperationRegistry& registry, lake::LakeEngine& lake, const JobRunPlan& plan,
      lake::DuckConnection& con, std::string catalog)
      : registry_(registry), lake_(lake), plan_(plan), con_(con), catalog_(std::move(catalog)) {}

  Result<void> node(const DagNode& n);
  Result<void> uploadAndCatalogue();
  std::vector<std::string> log;
  std::vector<JobDqEvaluation> dataQuality;
  uint64_t rows = 0;
  JsonObject bookmark;      // the S3 sources' state after this run
  bool nothingNew = false;  // a bookmarked source had nothing new

 private:
  Result<Relation> define(const std::string& id, const std::string& sql,
                          std::vector<std::string> names);
  Result<Relation> source(const DagNode& n);
  Result<Relation> transform(const DagNode& n);
  Result<void> target(const DagNode& n);
  Result<std::string> filterCondition(const Relation& in, const Json& spec);
  const Relation& input(const DagNode& n, size_t i) { return relations_.at(n.inputs[i]); }

  struct Written {
    std::string location;
    WriteFormat format;
    WrittenFiles files;
    std::vector<std::pair<std::string, std::string>> data, keys;  // name, Glue type
    std::string db, table;  // the catalog table to create or update ("" none)
    bool catalogTarget = false;
  };

  const OperationRegistry& registry_;
  lake::LakeEngine& lake_;
  const JobRunPlan& plan_;
  lake::DuckConnection& con_;
  std::string catalog_;
  std::map<std::string, Relation> relations_;
  std::vector<lake::ObjectSnapshot> snapshots_;
  std::vector<lake::ScratchDir> scratch_;
  std::vector<Written> written_;
};

Result<Relation> Run::define(const std::string& id, const std::string& sql,
                             std::vector<std::string> names) {
  Relation r{lake::sqlIdent(catalog_) + ".main." + lake::sqlIdent("n_" + id), std::move(names)};
  auto made = con_.query("CREATE VIEW " + r.view + " AS " + sql);
  if (!made) return made.error();
  relations_[id] = r;
  return r;
}

Result<Relation> Run::source(const DagNode& n) {
  const Json& spec = n.spec;
  std::string reader;
  if (n.type == "S3CatalogSource" || n.type == "CatalogSource") {
    std::string db = lower(jsonString(jsonAt(spec, {"Database"})));
    std::string name = lower(jsonString(jsonAt(spec, {"Table"})));
    auto got = callAndWait(registry_, plan_.scope, "glue", "GetTable",
                           JsonObject{{"DatabaseName", db}, {"Name", name}});
    if (!got) return failure("Node " + n.id + ": table " + db + "." + name + " not found.");
    std::map<std::pair<std::string, std::string>, Json> tables{
        {{db, name}, got->as_object().at("Table")}};
    // Bookmarks: the table's objects (its location's or its partitions')
    // that the last successful run did not read.
    SourceBookmark mark(plan_.bookmarks ? jsonAt(plan_.bookmark, {n.id}) : nullptr);
    size_t fresh = 0;
    ObjectFilter keep;
    if (plan_.bookmarks) {
      keep = [&](const std::string& uri, const lake::LakeObject& o) {
        bool read = mark.fresh(uri, o.lastModified);
        fresh += read ? 1 : 0;
        return read;
      };
    }
    auto reads = readCatalogTables(registry_, lake_, plan_.scope, tables,
                                   TimePoint(std::chrono::milliseconds(plan_.startMs)), keep);
    if (!reads) return failure("Node " + n.id + ": " + reads.error().message);
    snapshots_.push_back(std::move(*reads->snapshot));
    reader = reads->readers.at({db, name});
    if (plan_.bookmarks) {
      bookmark[n.id] = mark.state();
      if (fresh == 0) {
        nothingNew = true;
        return failure("no new data");
      }
    }
  } else {
    std::vector<std::string> paths;
    if (const Json* p = jsonAt(spec, {"Paths"}); p && p->is_array()) {
      for (const Json& v : p->as_array()) paths.push_back(jsonString(&v));
    }
    std::vector<std::string> exclusions;
    if (const Json* e = jsonAt(spec, {"Exclusions"}); e && e->is_array()) {
      for (const Json& v : e->as_array()) exclusions.push_back(jsonString(&v));
    }
    auto snap = lake_.snapshot(plan_.scope, paths);
    if (!snap) return failure("Node " + n.id + ": " + snap.error().message);
    std::vector<std::string> files;
    // Bookmarks: what the last successful run read is not read again.
    SourceBookmark mark(plan_.bookmarks ? jsonAt(plan_.bookmark, {n.id}) : nullptr);
    for (size_t i = 0; i < paths.size() && i < snap->objects().size(); ++i) {
      auto loc = lake::parseS3Uri(paths[i]);
      if (!loc) return failure("Node " + n.id + ": " + loc.error().message);
      for (const auto& o : snap->objects()[i]) {
        std::string uri = "s3://" + loc->bucket + "/" + o.key;
        if (plan_.bookmarks && !mark.fresh(uri, o.lastModified)) continue;
        // A path names a folder (everything below it) or one object.
        bool inside = loc->prefix.empty() || loc->prefix.ends_with("/") || o.key == loc->prefix ||
                      o.key.starts_with(loc->prefix + "/");
        std::string_view base = std::string_view(o.key).substr(o.key.rfind('/') + 1);
        if (!inside || base.empty() || base[0] == '_' || base[0] == '.') continue;
        if (std::any_of(exclusions.begin(), exclusions.end(),
                        [&](const std::string& g) { return lake::exclusionMatches(g, uri); })) {
          continue;
        }
        files.push_back((snap->root() / loc->bucket / o.key).string());
      }
    }
    snapshots_.push_back(std::move(*snap));
    if (plan_.bookmarks) {
      bookmark[n.id] = mark.state();
      if (files.empty()) {
        nothingNew = true;
        return failure("no new data");
      }
    }
    if (files.empty()) {
      return failure("Node " + n.id + " (" + n.type + "): no files at " +
                     (paths.empty() ? std::string("its paths") : paths.front()) + ".");
    }
    std::string list = "[";
    for (size_t i = 0; i < files.size(); ++i) list += (i ? ", " : "") + lake::sqlString(files[i]);
    list += "]";
    if (n.type == "S3ParquetSource") {
      reader = "SELECT * FROM read_parquet(" + list + ", union_by_name=true)";
    } else if (n.type == "S3JsonSource") {
      reader = "SELECT * FROM read_json(" + list + ", format='auto', union_by_name=true)";
    } else {
      static const std::map<std::string, std::string> separators = {
          {"comma", ","}, {"ctrla", "\x01"}, {"pipe", "|"}, {"semicolon", ";"}, {"tab", "\t"}};
      static const std::map<std::string, std::string> quotes = {
          {"quote", "\""}, {"quillemet", "\xC2\xAB"}, {"single_quote", "'"}, {"disabled", ""}};
      std::string sep = jsonString(jsonAt(spec, {"Separator"}));
      std::string quote = jsonString(jsonAt(spec, {"QuoteChar"}));
      const Json* header = jsonAt(spec, {"WithHeader"});
      bool withHeader = !header || !header->is_bool() || header->as_bool();
      reader = "SELECT * FROM read_csv(" + list +
               ", delim=" + lake::sqlString(separators.count(sep) ? separators.at(sep) : ",") +
               ", quote=" + lake::sqlString(quotes.count(quote) ? quotes.at(quote) : "\"") +
               ", header=" + (withHeader ? "true" : "false") + ", union_by_name=true)";
    }
  }
  auto described = con_.query("DESCRIBE " + reader);
  if (!described) return failure("Node " + n.id + ": " + described.error().message);
  std::vector<std::string> names, exprs;
  for (size_t r = 0; r < described->rowCount(); ++r) {
    names.push_back(described->value(r, 0).value_or(""));
    exprs.push_back("#" + std::to_string(r + 1));
  }
  return define(n.id, selectAs(exprs, "(" + reader + ")"), names);
}

Result<std::string> Run::filterCondition(const Relation& in, const Json& spec) {
  std::string logical = jsonString(jsonAt(spec, {"LogicalOperator"})) == "OR" ? " OR " : " AND ";
  std::string cond;
  const Json* filters = jsonAt(spec, {"Filters"});
  for (const Json& f : filters && filters->is_array() ? filters->as_array() : JsonArray{}) {
    std::string op = jsonString(jsonAt(f, {"Operation"}));
    std::vector<std::string> sides;
    std::string pattern, column;
    const Json* values = jsonAt(f, {"Values"});
    for (const Json& v : values && values->is_array() ? values->as_array() : JsonArray{}) {
      const Json* path = jsonAt(v, {"Value"});
      if (jsonString(jsonAt(v, {"Type"})) == "COLUMNEXTRACTED") {
        auto sql = pathSql(in, path ? *path : Json());
        if (!sql) return failure("Filter: no column " + pathName(path ? *path : Json()) + ".");
        sides.push_back(*sql);
        column = *sql;
      } else {
        std::string constant = path && path->is_array() && !path->as_array().empty()
                                   ? jsonString(&path->as_array()[0])
                                   : "";
        sides.push_back(constantSql(constant));
        pattern = constant;
      }
    }
    std::string e;
    if (op == "ISNULL") {
      if (sides.empty()) return failure("Filter: ISNULL needs a column.");
      e = sides[0] + " IS NULL";
    } else if (op == "REGEX") {
      // Glue evaluates Python's re.match: anchored at the start only.
      if (column.empty()) return failure("Filter: REGEX needs a column.");
      e = "regexp_matches(CAST(" + column + " AS VARCHAR), " +
          lake::sqlString("^(?:" + pattern + ")") + ")";
    } else {
      static const std::map<std::string, std::string> ops = {
          {"EQ", "="}, {"LT", "<"}, {"GT", ">"}, {"LTE", "<="}, {"GTE", ">="}};
      if (!ops.count(op) || sides.size() != 2) return failure("Filter: bad " + op + " filter.");
      e = sides[0] + " " + ops.at(op) + " " + sides[1];
    }
    const Json* negated = jsonAt(f, {"Negated"});
    if (negated && negated->is_bool() && negated->as_bool()) e = "NOT coalesce(" + e + ", false)";
    cond += (cond.empty() ? "" : logical) + "(" + e + ")";
  }
  return cond.empty() ? std::string("true") : cond;
}

Result<Relation> Run::transform(const DagNode& n) {
  const Json& spec = n.spec;
  const Relation& in = input(n, 0);
  std::vector<std::string> exprs, names;
  auto all = [&](const std::string& qualifier) {
    for (size_t i = 0; i < in.columns.size(); ++i) {
      exprs.push_back(qualifier + col(i));
      names.push_back(in.columns[i]);
    }
  };
  if (n.type == "ApplyMapping") {
    const Json* mapping = jsonAt(spec, {"Mapping"});
    for (const Json& m : mapping && mapping->is_array() ? mapping->as_array() : JsonArray{}) {
      const Json* dropped = jsonAt(m, {"Dropped"});
      if (dropped && dropped->is_bool() && dropped->as_bool()) continue;
      const Json* from = jsonAt(m, {"FromPath"});
      auto sql = pathSql(in, from ? *from : Json());
      std::string to = jsonString(jsonAt(m, {"ToType"}));
      std::string type = duckTypeOfSpark(to.empty() ? "string" : to);
      // Spark's cast gives NULL where the value does not convert.
      exprs.push_back(sql ? "TRY_CAST(" + *sql + " AS " + type + ")"
                          : "CAST(NULL AS " + type + ")");
      std::string key = jsonString(jsonAt(m, {"ToKey"}));
      names.push_back(key.empty() ? pathName(from ? *from : Json()) : key);
    }
    return define(n.id, selectAs(exprs, in.view), names);
  }
  if (n.type == "SelectFields" || n.type == "DropFields") {
    std::vector<size_t> listed;
    const Json* paths = jsonAt(spec, {"Paths"});
    for (const Json& p : paths && paths->is_array() ? paths->as_array() : JsonArray{}) {
      if (!p.is_array() || p.as_array().empty()) continue;
      if (auto at = findColumn(in, jsonString(&p.as_array()[0]))) listed.push_back(*at);
    }
    for (size_t i = 0; i < in.columns.size(); ++i) {
      bool named = std::find(listed.begin(), listed.end(), i) != listed.end();
      if (named == (n.type == "SelectFields")) {
        exprs.push_back(col(i));
        names.push_back(in.columns[i]);
      }
    }
    return define(n.id, selectAs(exprs, in.view), names);
  }
  if (n.type == "RenameField") {
    all("");
    const Json* source = jsonAt(spec, {"SourcePath"});
    std::string from = source && source->is_array() && !source->as_array().empty()
                           ? jsonString(&source->as_array()[0])
                           : "";
    auto at = findColumn(in, from);
    if (!at) return failure("Node " + n.id + " (RenameField): no column " + from + ".");
    const Json* target = jsonAt(spec, {"TargetPath"});
    names[*at] = pathName(target ? *target : Json());
    return define(n.id, selectAs(exprs, in.view), names);
  }
  if (n.type == "Filter") {
    auto cond = filterCondition(in, spec);
    if (!cond) return cond.error();
    all("");
    return define(n.id, selectAs(exprs, in.view + " WHERE " + *cond), names);
  }
  if (n.type == "DropDuplicates") {
    all("");
    std::vector<std::string> keys;
    const Json* columns = jsonAt(spec, {"Columns"});
    for (const Json& c : columns && columns->is_array() ? columns->as_array() : JsonArray{}) {
      if (auto sql = pathSql(in, c)) keys.push_back(*sql);
    }
    if (keys.empty()) return define(n.id, "SELECT DISTINCT * FROM " + in.view, names);
    std::string by;
    for (const auto& k : keys) by += (by.empty() ? "" : ", ") + k;
    return define(
        n.id,
        "SELECT * FROM " + in.view + " QUALIFY row_number() OVER (PARTITION BY " + by + ") = 1",
        names);
  }
  if (n.type == "DropNullFields") {
    // The columns that hold no value in any row are dropped.
    std::string counts;
    for (size_t i = 0; i < in.columns.size(); ++i) {
      counts += (i ? ", " : "") + std::string("count(") + col(i) + ")";
    }
    auto counted = con_.query("SELECT " + (counts.empty() ? "1" : counts) + " FROM " + in.view);
    if (!counted) return counted.error();
    for (size_t i = 0; i < in.columns.size(); ++i) {
      if (counted->value(0, i).value_or("0") != "0") {
        exprs.push_back(col(i));
        names.push_back(in.columns[i]);
      }
    }
    return define(n.id, selectAs(exprs, in.view), names);
  }
  if (n.type == "Join") {
    const Json* columns = jsonAt(spec, {"Columns"});
    if (!columns || !columns->is_array() || columns->as_array().size() != 2) {
      return failure("Node " + n.id + " (Join): Columns must name both sides.");
    }
    const JsonArray& sides = columns->as_array();
    std::string leftId = jsonString(jsonAt(sides[0], {"From"}));
    std::string rightId = jsonString(jsonAt(sides[1], {"From"}));
    if (!relations_.count(leftId) || !relations_.count(rightId)) {
      return failure("Node " + n.id + " (Join): Columns name nodes that are not its inputs.");
    }
    const Relation& l = relations_.at(leftId);
    const Relation& r = relations_.at(rightId);
    const Json* lk = jsonAt(sides[0], {"Keys"});
    const Json* rk = jsonAt(sides[1], {"Keys"});
    if (!lk || !rk || !lk->is_array() || !rk->is_array() ||
        lk->as_array().size() != rk->as_array().size() || lk->as_array().empty()) {
      return failure("Node " + n.id + " (Join): both sides need the same number of keys.");
    }
    std::string on;
    for (size_t i = 0; i < lk->as_array().size(); ++i) {
      auto a = pathSql(l, lk->as_array()[i]);
      auto b = pathSql(r, rk->as_array()[i]);
      if (!a || !b) return failure("Node " + n.id + " (Join): a key is not a column.");
      on += (on.empty() ? "" : " AND ") + ("l." + *a) + " = " + ("r." + *b);
    }
    std::string type = jsonString(jsonAt(spec, {"JoinType"}));
    static const std::map<std::string, std::string> joins = {
        {"equijoin", "JOIN"},   {"left", "LEFT JOIN"},     {"right", "RIGHT JOIN"},
        {"outer", "FULL JOIN"}, {"leftsemi", "SEMI JOIN"}, {"leftanti", "ANTI JOIN"}};
    if (!joins.count(type)) return failure("Node " + n.id + ": JoinType " + type + ".");
    for (size_t i = 0; i < l.columns.size(); ++i) {
      exprs.push_back("l." + col(i));
      names.push_back(l.columns[i]);
    }
    if (type != "leftsemi" && type != "leftanti") {
      for (size_t i = 0; i < r.columns.size(); ++i) {
        exprs.push_back("r." + col(i));
        names.push_back(r.columns[i]);
      }
    }
    return define(
        n.id, selectAs(exprs, l.view + " AS l " + joins.at(type) + " " + r.view + " AS r ON " + on),
        names);
  }
  if (n.type == "Union") {
    const Relation& r = input(n, 1);
    // By name: the left's columns, then the right's others; NULL where a
    // side lacks one.
    names = in.columns;
    for (const auto& c : r.columns) {
      if (!findColumn(in, c)) names.push_back(c);
    }
    std::vector<std::string> left, right;
    Relation all{"", names};
    for (size_t i = 0; i < names.size(); ++i) {
      auto a = i < in.columns.size() ? std::optional<size_t>(i) : std::nullopt;
      auto b = findColumn(r, names[i]);
      left.push_back(a ? col(*a) : "NULL");
      right.push_back(b ? col(*b) : "NULL");
    }
    std::string how =
        jsonString(jsonAt(spec, {"UnionType"})) == "DISTINCT" ? " UNION " : " UNION ALL ";
    return define(n.id, selectAs(left, in.view) + how + selectAs(right, r.view), names);
  }
  if (n.type == "Aggregate") {
    std::vector<std::string> groups;
    const Json* g = jsonAt(spec, {"Groups"});
    for (const Json& p : g && g->is_array() ? g->as_array() : JsonArray{}) {
      auto sql = pathSql(in, p);
      if (!sql) return failure("Node " + n.id + " (Aggregate): no column " + pathName(p) + ".");
      groups.push_back(*sql);
      exprs.push_back(*sql);
      names.push_back(pathName(p));
    }
    static const std::map<std::string, std::pair<std::string, std::string>> funcs = {
        {"avg", {"avg(", ")"}},
        {"count", {"count(", ")"}},
        {"countDistinct", {"count(DISTINCT ", ")"}},
        {"first", {"first(", ")"}},
        {"last", {"last(", ")"}},
        {"kurtosis", {"kurtosis_pop(", ")"}},
        {"max", {"max(", ")"}},
        {"min", {"min(", ")"}},
        {"skewness", {"skewness(", ")"}},
        {"stddev_samp", {"stddev_samp(", ")"}},
        {"stddev_pop", {"stddev_pop(", ")"}},
        {"sum", {"sum(", ")"}},
        {"sumDistinct", {"sum(DISTINCT ", ")"}},
        {"var_samp", {"var_samp(", ")"}},
        {"var_pop", {"var_pop(", ")"}}};
    const Json* aggs = jsonAt(spec, {"Aggs"});
    for (const Json& a : aggs && aggs->is_array() ? aggs->as_array() : JsonArray{}) {
      std::string fn = jsonString(jsonAt(a, {"AggFunc"}));
      const Json* column = jsonAt(a, {"Column"});
      auto sql = pathSql(in, column ? *column : Json());
      if (!funcs.count(fn) || !sql) return failure("Node " + n.id + " (Aggregate): " + fn + ".");
      exprs.push_back(funcs.at(fn).first + *sql + funcs.at(fn).second);
      // Spark names the column after the call: avg(score), count(DISTINCT id).
      std::string shown = fn == "countDistinct" ? "count(DISTINCT "
                          : fn == "sumDistinct" ? "sum(DISTINCT "
                                                : fn + "(";
      names.push_back(shown + pathName(column ? *column : Json()) + ")");
    }
    std::string by;
    for (const auto& k : groups) by += (by.empty() ? "" : ", ") + k;
    return define(n.id, selectAs(exprs, in.view) + (by.empty() ? "" : " GROUP BY " + by), names);
  }
  if (n.type == "EvaluateDataQuality" || n.type == "EvaluateDataQualityMultiFrame") {
    // The ruleset over the (first) input; the node passes the input on, or
    // gives the rule outcomes (Rule, Outcome, FailureReason,
    // EvaluatedMetrics) as Glue's ruleOutcomes — always for the multi-frame
    // node, whose AdditionalDataSources name the reference datasets' nodes
    // by alias. With StopJobOnFailureOptions a failed rule fails the run
    // before anything is written.
    auto rules = lake::parseDqdl(jsonString(jsonAt(spec, {"Ruleset"})));
    if (!rules) return failure("Node " + n.id + ": " + rules.error().message);
    // The rules name the inputs' columns by their Glue names.
    auto named = [&](const Relation& r) {
      std::string list;
      for (size_t i = 0; i < r.columns.size(); ++i) {
        list += (i ? ", " : "") + col(i) + " AS " + lake::sqlIdent(r.columns[i]);
      }
      return "(SELECT " + (list.empty() ? std::string("*") : list) + " FROM " + r.view + ")";
    };
    std::map<std::string, std::string> references;
    if (const Json* extra = jsonAt(spec, {"AdditionalDataSources"}); extra && extra->is_object()) {
      for (const auto& kv : extra->as_object()) {
        std::string node = jsonString(&kv.value());
        if (!relations_.count(node)) {
          return failure("Node " + n.id + ": reference " + std::string(kv.key()) + " reads node " +
                         node + ", which is not among its inputs.");
        }
        references[std::string(kv.key())] = named(relations_.at(node));
      }
    }
    TimePoint started(std::chrono::milliseconds(plan_.startMs));
    auto results = lake::evaluateDqdl(con_, named(in), *rules, started, references);
    if (const Json* publish = jsonAt(spec, {"PublishingOptions", "ResultsPublishingEnabled"});
        !publish || !publish->is_bool() || publish->as_bool()) {
      std::string context = jsonString(jsonAt(spec, {"PublishingOptions", "EvaluationContext"}));
      auto rows = lake::countDqRows(con_, named(in), *rules, started);
      dataQuality.push_back(
          JobDqEvaluation{context.empty() ? n.id : context, results,
                          lake::analyzeDqdl(con_, named(in), *rules, started, references),
                          rows ? std::optional<lake::DqRowCounts>(*rows) : std::nullopt});
    }
    std::string failed;
    std::string values;
    for (const auto& r : results) {
      if (r.result != "PASS" && failed.empty()) {
        failed = r.name + " (" + r.description + "): " + r.message;
      }
      std::string metrics = "MAP {";
      bool first = true;
      for (const auto& [k, v] : r.metrics) {
        metrics += std::string(first ? "" : ", ") + lake::sqlString(k) + ": " + std::to_string(v);
        first = false;
      }
      metrics += "}";
      if (r.metrics.empty()) metrics = "CAST(MAP {} AS MAP(VARCHAR, DOUBLE))";
      values += std::string(values.empty() ? "" : ", ") + "(" + lake::sqlString(r.description) +
                ", " + lake::sqlString(r.result == "PASS" ? "Passed" : "Failed") + ", " +
                (r.message.empty() ? "NULL" : lake::sqlString(r.message)) + ", " + metrics + ")";
    }
    log.push_back("Node " + n.id + " (" + n.type + "): " + std::to_string(results.size()) +
                  " rules" + (failed.empty() ? ", all passed" : "; failed: " + failed));
    if (!failed.empty() && jsonAt(spec, {"StopJobOnFailureOptions"})) {
      return failure("Data quality rules failed: " + failed);
    }
    // The collection Glue's evaluation gives, for SelectFromCollection:
    // ruleOutcomes, and rowLevelOutcomes (each row with the rules it passes,
    // fails and skips).
    if (values.empty()) values = "(NULL, NULL, NULL, NULL)";
    std::string ruleOutcomes = "SELECT * FROM (VALUES " + values + ") AS t(c0, c1, c2, c3)";
    const std::vector<std::string> ruleColumns = {"Rule", "Outcome", "FailureReason",
                                                  "EvaluatedMetrics"};
    if (auto r = define(n.id + kRuleOutcomes, ruleOutcomes, ruleColumns); !r) return r;
    std::vector<std::string> rowColumns = in.columns, positions;
    for (const char* c : {"DataQualityRulesPass", "DataQualityRulesFail", "DataQualityRulesSkip",
                          "DataQualityEvaluationResult"}) {
      rowColumns.push_back(c);
    }
    for (size_t i = 1; i <= rowColumns.size(); ++i) positions.push_back("#" + std::to_string(i));
    auto rowLevel =
        define(n.id + kRowLevelOutcomes,
               selectAs(positions,
                        "(" + lake::rowLevelOutcomesSql(con_, named(in), *rules, started) + ")"),
               rowColumns);
    if (!rowLevel) return rowLevel;
    if (jsonString(jsonAt(spec, {"Output"})) == "EvaluationResults" ||
        n.type == "EvaluateDataQualityMultiFrame") {
      return define(n.id, ruleOutcomes, ruleColumns);
    }
    all("");
    return define(n.id, selectAs(exprs, in.view), names);
  }
  if (n.type == "SelectFromCollection") {
    // A Data Quality node's collection: ruleOutcomes (0), rowLevelOutcomes
    // (1); any other node's output is a collection of itself (0).
    int index = 0;
    if (const Json* i = jsonAt(spec, {"Index"}); i && i->is_int64()) {
      index = static_cast<int>(i->as_int64());
    }
    const std::string& from = n.inputs.at(0);
    std::string picked = relations_.count(from + kRuleOutcomes) == 0 ? (index == 0 ? from : "")
                         : index == 0                                ? from + kRuleOutcomes
                         : index == 1                                ? from + kRowLevelOutcomes
                                                                     : "";
    if (picked.empty()) {
      return failure("Node " + n.id + " (SelectFromCollection): node " + from +
                     " gives no frame at index " + std::to_string(index) + ".");
    }
    const Relation& r = relations_.at(picked);
    for (size_t i = 0; i < r.columns.size(); ++i) exprs.push_back(col(i));
    return define(n.id, selectAs(exprs, r.view), r.columns);
  }
  if (n.type == "SparkSQL") {
    // Each input under its alias, with its Glue names; the SQL translated as
    // Athena's is (Spark SQL's common ground with Trino).
    const Json* aliases = jsonAt(spec, {"SqlAliases"});
    for (const Json& a : aliases && aliases->is_array() ? aliases->as_array() : JsonArray{}) {
      std::string from = jsonString(jsonAt(a, {"From"}));
      if (!relations_.count(from))
        return failure("Node " + n.id + ": alias of unknown node " + from);
      const Relation& r = relations_.at(from);
      std::vector<std::string> named;
      for (size_t i = 0; i < r.columns.size(); ++i) {
        named.push_back(col(i) + " AS " + lake::sqlIdent(r.columns[i]));
      }
      std::string list;
      for (const auto& x : named) list += (list.empty() ? "" : ", ") + x;
      auto made = con_.query("CREATE VIEW " + lake::sqlIdent(catalog_) + ".main." +
                             lake::sqlIdent(jsonString(jsonAt(a, {"Alias"}))) + " AS SELECT " +
                             (list.empty() ? "NULL AS _" : list) + " FROM " + r.view);
      if (!made) return made.error();
    }
    lake::TrinoTranslator translator(con_, &lake_.trinoExpressions());
    auto tree =
        translator.translate(lake::backtickNamesQuoted(jsonString(jsonAt(spec, {"SqlQuery"}))));
    if (!tree) return failure("Node " + n.id + " (SparkSQL): " + tree.error().message);
    auto sql = translator.render(*tree);
    if (!sql) return failure("Node " + n.id + " (SparkSQL): " + sql.error().message);
    auto described = con_.query("DESCRIBE " + *sql);
    if (!described) return failure("Node " + n.id + " (SparkSQL): " + described.error().message);
    for (size_t r = 0; r < described->rowCount(); ++r) {
      names.push_back(described->value(r, 0).value_or(""));
      exprs.push_back("#" + std::to_string(r + 1));
    }
    return define(n.id, selectAs(exprs, "(" + *sql + ")"), names);
  }
  return failure("Node " + n.id + ": " + n.type + " is not run by Sluice.");
}

Result<void> Run::target(const DagNode& n) {
  const Json& spec = n.spec;
  const Relation& in = input(n, 0);
  Written w;
  std::vector<std::string> keys;
  const Json* pk = jsonAt(spec, {"PartitionKeys"});
  for (const Json& p : pk && pk->is_array() ? pk->as_array() : JsonArray{})
    keys.push_back(pathName(p));
  std::string formatName = "parquet", compression = "snappy";
  if (n.type == "S3CatalogTarget" || n.type == "CatalogTarget") {
    w.db = lower(jsonString(jsonAt(spec, {"Database"})));
    w.table = lower(jsonString(jsonAt(spec, {"Table"})));
    w.catalogTarget = true;
    auto got = callAndWait(registry_, plan_.scope, "glue", "GetTable",
                           JsonObject{{"DatabaseName", w.db}, {"Name", w.table}});
    if (!got) return failure("Node " + n.id + ": table " + w.db + "." + w.table + " not found.");
    const Json& table = got->as_object().at("Table");
    w.location = jsonString(jsonAt(table, {"StorageDescriptor", "Location"}));
    std::string serde = lower(
        jsonString(jsonAt(table, {"StorageDescriptor", "SerdeInfo", "SerializationLibrary"})));
    formatName = serde.find("parquet") != std::string::npos ? "parquet"
                 : serde.find("json") != std::string::npos  ? "json"
                                                            : "csv";
    compression = formatName == "parquet" ? "snappy" : "none";
    keys.clear();
    if (const Json* tk = jsonAt(table, {"PartitionKeys"}); tk && tk->is_array()) {
      for (const Json& k : tk->as_array()) keys.push_back(jsonString(jsonAt(k, {"Name"})));
    }
  } else {
    w.location = jsonString(jsonAt(spec, {"Path"}));
    if (n.type == "S3DirectTarget") formatName = lower(jsonString(jsonAt(spec, {"Format"})));
    std::string c = lower(jsonString(jsonAt(spec, {"Compression"})));
    if (!c.empty())
      compression = c;
    else if (formatName != "parquet")
      compression = "none";
    const Json* update = jsonAt(spec, {"SchemaChangePolicy", "EnableUpdateCatalog"});
    if (update && update->is_bool() && update->as_bool()) {
      w.db = lower(jsonString(jsonAt(spec, {"SchemaChangePolicy", "Database"})));
      w.table = lower(jsonString(jsonAt(spec, {"SchemaChangePolicy", "Table"})));
      if (w.db.empty() || w.table.empty()) {
        return failure("Node " + n.id + ": updating the catalog needs its Database and Table.");
      }
    }
  }
  if (!w.location.ends_with("/")) w.location += "/";
  if (compression == "uncompressed") compression = "none";
  auto format = writeFormat(formatName == "csv" ? "csv" : formatName, compression, ",");
  if (!format) return failure("Node " + n.id + ": " + format.error().message);
  w.format = *format;
  // The rows to write: the Glue names, partition columns last.
  std::vector<std::string> exprs;
  std::vector<std::string> data;
  for (size_t i = 0; i < in.columns.size(); ++i) {
    bool key = std::any_of(keys.begin(), keys.end(),
                           [&](const std::string& k) { return lower(k) == lower(in.columns[i]); });
    if (!key) {
      exprs.push_back(col(i) + " AS " + lake::sqlIdent(in.columns[i]));
      data.push_back(in.columns[i]);
    }
  }
  for (const auto& k : keys) {
    auto at = findColumn(in, k);
    if (!at) return failure("Node " + n.id + ": partition key " + k + " is not a column.");
    exprs.push_back(col(*at) + " AS " + lake::sqlIdent(in.columns[*at]));
  }
  std::string list;
  for (const auto& e : exprs) list += (list.empty() ? "" : ", ") + e;
  // Partitioned rows are materialised once (each partition reads them);
  // otherwise the rows stream straight from the view into the file.
  std::string select = "SELECT " + list + " FROM " + in.view;
  std::string out = "(" + select + ")";
  if (!keys.empty()) {
    out = lake::sqlIdent(catalog_) + ".main." + lake::sqlIdent("out_" + n.id);
    auto made = con_.query("CREATE TABLE " + out + " AS " + select);
    if (!made) return made.error();
  }
  auto described = con_.query("DESCRIBE " + select);
  if (!described) return described.error();
  for (size_t r = 0; r < described->rowCount(); ++r) {
    std::string name = described->value(r, 0).value_or("");
    std::string type = lake::glueType(described->value(r, 1).value_or("VARCHAR"));
    (r < data.size() ? w.data : w.keys).emplace_back(lower(name), type);
  }
  auto scratch = lake_.scratch();
  if (!scratch) return scratch.error();
  std::vector<std::string> keyNames;
  for (const auto& [k, _] : w.keys) keyNames.push_back(k);
  std::vector<std::string> dataNames;
  for (const auto& [d, _] : w.data) dataNames.push_back(d);
  auto files = writePartitionFiles(
      con_, out, dataNames, keyNames, w.format, scratch->path(),
      "run-" + std::to_string(plan_.startMs) + "-" + plan_.runId.substr(3, 8) + "-part-r", 1000000);
  if (!files) return files.error();
  w.files = std::move(*files);
  rows += w.files.rows;
  log.push_back("Node " + n.id + " (" + n.type + "): " + std::to_string(w.files.rows) +
                " rows in " + std::to_string(w.files.files.size()) + " files for " + w.location);
  scratch_.push_back(std::move(*scratch));
  written_.push_back(std::move(w));
  return {};
}

Result<void> Run::node(const DagNode& n) {
  if (n.role == DagNode::Role::kSource) {
    auto r = source(n);
    if (!r) return r.error();
    return {};
  }
  if (n.role == DagNode::Role::kTransform) {
    auto r = transform(n);
    if (!r) return r.error();
    return {};
  }
  return target(n);
}

Result<void> Run::uploadAndCatalogue() {
  // Everything is written before anything is uploaded; a failure removes what
  // was put, so a failed run leaves no partial output.
  std::vector<std::pair<std::string, std::vector<std::string>>> put;
  auto undo = [&] {
    for (const auto& [location, keys] : put) removeUploads(registry_, plan_.scope, location, keys);
  };
  for (const auto& w : written_) {
    auto keys = uploadFiles(registry_, plan_.scope, w.location, w.files);
    if (!keys) {
      undo();
      return keys.error();
    }
    put.emplace_back(w.location, std::move(*keys));
  }
  for (const auto& w : written_) {
    if (w.table.empty()) continue;
    JsonArray columns, keys;
    for (const auto& [name, type] : w.data)
      columns.push_back(JsonObject{{"Name", name}, {"Type", type}});
    for (const auto& [name, type] : w.keys)
      keys.push_back(JsonObject{{"Name", name}, {"Type", type}});
    JsonObject sd = storageDescriptorFor(w.format, columns, w.location);
    if (!w.catalogTarget) {
      JsonObject input{{"Name", w.table},
                       {"TableType", "EXTERNAL_TABLE"},
                       {"PartitionKeys", keys},
                       {"Parameters", JsonObject{{"classification", w.format.classification}}},
                       {"StorageDescriptor", sd}};
      auto existing = callAndWait(registry_, plan_.scope, "glue", "GetTable",
                                  JsonObject{{"DatabaseName", w.db}, {"Name", w.table}});
      auto done =
          callAndWait(registry_, plan_.scope, "glue", existing ? "UpdateTable" : "CreateTable",
                      JsonObject{{"DatabaseName", w.db}, {"TableInput", input}});
      if (!done) {
        undo();
        return failure("cannot catalogue " + w.db + "." + w.table + ": " + done.error().message);
      }
    }
    if (auto r = registerWrittenPartitions(registry_, plan_.scope, w.db, w.table, sd, w.location,
                                           w.files);
        !r) {
      undo();
      return failure("cannot register the partitions of " + w.db + "." + w.table + ": " +
                     r.error().message);
    }
  }
  return {};
}

}  // namespace

std::string duckTypeOfSpark(std::string_view sparkType) {
  std::string t = lower(sparkType);
  if (t == "long") t = "bigint";
  if (t == "integer") t = "int";
  if (t == "short") t = "smallint";
  if (t == "byte") t = "tinyint";
  return lake::duckdbType(t);
}

JobRunOutcome executeJobRun(const OperationRegistry& registry, lake::LakeEngine& lake,
                            const JobRunPlan& plan, lake::LakeCancel& cancel) {
  JobRunOutcome out;
  auto con = lake.connection();
  if (!con) {
    out.state = "FAILED";
    out.error = con.error().message;
    return out;
  }
  std::string catalog = "job_" + plan.runId;
  // The run's views live in a private catalog, current so that a SparkSQL
  // node's aliases resolve there.
  auto setup = (*con)->query("ATTACH ':memory:' AS " + lake::sqlIdent(catalog) + "; USE " +
                             lake::sqlIdent(catalog) + ".main");
  if (!setup) {
    out.state = "FAILED";
    out.error = setup.error().message;
    return out;
  }
  Run run(registry, lake, plan, **con, catalog);
  Result<void> result = {};
  if (!cancel.attach(&**con)) {
    result = failure("stopped");
  } else {
    for (const DagNode& n : plan.dag.nodes) {
      result = run.node(n);
      if (!result) break;
    }
  }
  cancel.attach(nullptr);
  if (result && !cancel.cancelled()) result = run.uploadAndCatalogue();
  (void)(*con)->query("USE memory");
  (void)(*con)->query("DETACH " + lake::sqlIdent(catalog));
  out.log = std::move(run.log);
  out.dataQuality = std::move(run.dataQuality);
  out.rowsWritten = run.rows;
  out.bookmark = std::move(run.bookmark);
  if (run.nothingNew && !cancel.cancelled()) {
    // Bookmarks: nothing new since the last run — it succeeds, writing nothing.
    out.nothingNew = true;
    out.log.push_back("No new data since the last bookmarked run: nothing written.");
    return out;
  }
  if (cancel.cancelled()) {
    out.state = "STOPPED";
  } else if (!result) {
    out.state = "FAILED";
    std::string m = result.error().message;
    out.error = lake::withS3Uris(m.substr(0, m.find('\n')));
  }
  return out;
}

}  // namespace sluice::services::glue
