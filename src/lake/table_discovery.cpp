#include "lake/table_discovery.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "lake/exclusion_glob.hpp"
#include "lake/json_records.hpp"

namespace sluice::lake {

namespace fs = std::filesystem;

namespace {

// Two member folders are similar when the smaller's columns are mostly the
// larger's (a partition that gained a column still belongs to its table).
constexpr double kSimilarity = 0.7;

struct File {
  std::string bucket, key;
  fs::path local;
  uint64_t size = 0;
  FileFormat format;
  std::vector<std::string> folders;  // below the include path
  bool sampled = true;
  std::set<std::string> names;  // lower-cased columns, for similarity
  std::optional<uint64_t> records;
};

// Files read per member folder to compare schemas.
constexpr size_t kMemberSample = 8;

struct Folder {
  std::string name;
  int level = 1;       // the bucket is level 1
  std::string prefix;  // key prefix ending in "/" (empty: the bucket)
  std::string bucket;
  std::map<std::string, Folder> children;
  std::vector<size_t> files;  // directly in this folder
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string sqlList(const std::vector<const File*>& files) {
  std::string out = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    out += (i ? "," : "") + sqlString(files[i]->local.string());
  }
  return out + "]";
}

std::string compressionOption(const FileFormat& f) {
  return f.compression == "gzip" ? ", compression='gzip'" : "";
}

// The DuckDB table function reading `files` (all of one format).
std::string reader(const FileFormat& f, const std::vector<const File*>& files, bool filename) {
  std::string list = sqlList(files);
  std::string common = ", union_by_name=true, hive_partitioning=false";
  if (filename) common += ", filename=true";
  if (f.classification == "parquet") return "read_parquet(" + list + common + ")";
  if (f.classification == "json") {
    if (auto path = parseJsonRecordPath(f.jsonPath); path && !f.jsonPath.empty()) {
      std::string inner = "read_json(" + list + common +
                          ", format='auto', dateformat='disabled', " +
                          "timestampformat='disabled'" + compressionOption(f) + ")";
      return "(" +
             jsonRecordsSelect(
                 *path, inner,
                 filename ? std::vector<std::string>{"filename"} : std::vector<std::string>{}) +
             ")";
    }
    if (f.jsonArray) {
      return "read_json(" + list + common +
             ", format='unstructured', records=false, dateformat='disabled', "
             "timestampformat='disabled'" +
             compressionOption(f) + ")";
    }
    return "read_json(" + list + common + ", dateformat='disabled', timestampformat='disabled'" +
           compressionOption(f) + ")";
  }
  std::string delim = std::string(1, f.delimiter);
  // Names a custom classifier gives a headerless file.
  std::string names;
  if (!f.header && !f.headerNames.empty()) {
    for (const auto& n : f.headerNames) names += (names.empty() ? "" : ", ") + sqlString(n);
    names = ", names=[" + names + "]";
  }
  return "read_csv(" + list + common + ", header=" + (f.header ? "true" : "false") + names +
         ", delim=" + sqlString(delim) +
         ", auto_type_candidates=['BOOLEAN','BIGINT','DOUBLE','VARCHAR']" + compressionOption(f) +
         ")";
}

class Discoverer {
 public:
  Discoverer(LakeEngine& lake, const DiscoveryOptions& options, LakeCancel& cancel)
      : lake_(lake), options_(options), cancel_(cancel) {}

  Result<Discovery> run(const Scope& scope, const std::vector<CrawlTarget>& targets) {
    // One snapshot URI per target, or per folder for a target reading only
    // some folders (incremental crawls): the rest of it is not even linked.
    std::vector<std::string> uris;
    for (size_t i = 0; i < targets.size(); ++i) {
      const auto& t = targets[i];
      if (t.onlyFolders.empty()) {
        uris.push_back(t.path);
        uriTarget_.push_back(i);
        continue;
      }
      auto loc = parseS3Uri(t.path);
      if (!loc) return loc.error();
      for (const auto& f : t.onlyFolders) {
        uris.push_back("s3://" + loc->bucket + "/" + f);
        uriTarget_.push_back(i);
      }
    }
    // Small objects are classified from their bytes as the snapshot writes
    // them out; files are opened later.
    auto snap =
        lake_.snapshot(scope, uris, [this](size_t uri, const LakeObject& o, std::string_view head) {
          if (head.empty()) return;
          inlineFormats_[{uri, o.key}] = classifyBytes(head, o.size, o.key, options_.classifiers);
        });
    if (!snap) return snap.error();
    std::vector<std::pair<Folder, int>> roots;
    for (size_t i = 0; i < targets.size(); ++i) {
      auto root = collect(*snap, i, targets[i]);
      if (!root) return root.error();
      int level = targets[i].tableLevel > 0 ? targets[i].tableLevel : options_.tableLevel;
      if (*root) roots.emplace_back(std::move(**root), level);
    }
    out_.objectsRead = files_.size();
    for (auto& [root, level] : roots) {
      if (auto r = place(root, level); !r) return r.error();
    }
    nameTables();
    return std::move(out_);
  }

 private:
  Result<QueryResult> query(const std::string& sql) {
    if (!con_) {
      auto c = lake_.connection();
      if (!c) return c.error();
      con_.emplace(std::move(*c));
    }
    if (!cancel_.attach(&**con_)) {
      cancel_.attach(nullptr);
      return AwsError{"CrawlCancelled", "The crawl was stopped.", 400};
    }
    auto r = (*con_)->query(sql);
    cancel_.attach(nullptr);
    if (!r && cancel_.cancelled()) {
      return AwsError{"CrawlCancelled", "The crawl was stopped.", 400};
    }
    return r;
  }

  // The include path's files as a folder tree; nullopt when it has none.
  Result<std::optional<Folder>> collect(const ObjectSnapshot& snap, size_t index,
                                        const CrawlTarget& target) {
    auto loc = parseS3Uri(target.path);
    if (!loc) return loc.error();
    std::string prefix = loc->prefix;
    // The target's objects, from its URI or its folders' URIs, in key order.
    std::vector<std::pair<size_t, const LakeObject*>> objects;
    for (size_t u = 0; u < uriTarget_.size(); ++u) {
      if (uriTarget_[u] != index) continue;
      for (const LakeObject& o : snap.objects()[u]) objects.emplace_back(u, &o);
    }
    std::sort(objects.begin(), objects.end(),
              [](const auto& a, const auto& b) { return a.second->key < b.second->key; });
    // An include path naming one object crawls that object, in its folder.
    std::optional<std::string> single;
    if (!prefix.empty() && prefix.back() != '/') {
      bool isObject = std::any_of(objects.begin(), objects.end(),
                                  [&](const auto& o) { return o.second->key == prefix; });
      if (isObject) {
        single = prefix;
        auto slash = prefix.rfind('/');
        prefix = slash == std::string::npos ? std::string() : prefix.substr(0, slash + 1);
      } else {
        prefix += '/';
      }
    }
    Folder root;
    root.bucket = loc->bucket;
    root.prefix = prefix;
    root.level = 1 + static_cast<int>(std::count(prefix.begin(), prefix.end(), '/'));
    if (prefix.empty()) {
      root.name = loc->bucket;
    } else {
      std::string_view p(prefix);
      p.remove_suffix(1);
      root.name =
          std::string(p.substr(p.rfind('/') == std::string_view::npos ? 0 : p.rfind('/') + 1));
    }
    std::map<std::string, size_t> perLeaf;
    bool any = false;
    for (const auto& [uri, object] : objects) {
      const LakeObject& o = *object;
      if (single ? o.key != *single : !o.key.starts_with(prefix)) continue;
      std::string rel = o.key.substr(prefix.size());
      bool excluded = std::any_of(target.exclusions.begin(), target.exclusions.end(),
                                  [&](const std::string& g) { return exclusionMatches(g, rel); });
      if (excluded) continue;
      std::string_view base = std::string_view(rel).substr(
          rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
      // Hidden files (_SUCCESS, .crc) are not data, as Hive and Athena agree.
      if (base.empty() || base[0] == '_' || base[0] == '.') continue;
      if (!target.onlyFolders.empty()) {
        bool wanted = std::any_of(target.onlyFolders.begin(), target.onlyFolders.end(),
                                  [&](const std::string& f) { return o.key.starts_with(f); });
        if (!wanted) continue;
      }
      if (o.size == 0) {
        out_.messages.push_back("Skipped empty object s3://" + loc->bucket + "/" + o.key);
        continue;
      }
      auto relPath = keyPath(o.key);
      if (!relPath) continue;
      fs::path local = snap.root() / loc->bucket / *relPath;
      auto known = inlineFormats_.find({uri, o.key});
      auto format = known != inlineFormats_.end()
                        ? known->second
                        : classifyFile(local, o.key, options_.classifiers);
      if (!format) {
        out_.messages.push_back("No built-in classifier recognised s3://" + loc->bucket + "/" +
                                o.key + "; skipped");
        continue;
      }
      File f;
      f.bucket = loc->bucket;
      f.key = o.key;
      f.local = local;
      f.size = o.size;
      f.format = std::move(*format);
      if (f.format.classification == "csv") {
        if (f.format.header || !f.format.headerNames.empty()) {
          for (const auto& h : f.format.headerNames) f.names.insert(lower(h));
        } else {
          for (size_t c = 0; c < f.format.columnCount; ++c)
            f.names.insert("col" + std::to_string(c));
        }
      }
      if (f.format.jsonArray) f.names.insert("array");
      Folder* node = &root;
      size_t start = 0;
      for (size_t slash = rel.find('/'); slash != std::string::npos;
           start = slash + 1, slash = rel.find('/', start)) {
        std::string segment = rel.substr(start, slash - start);
        f.folders.push_back(segment);
        auto [it, fresh] = node->children.try_emplace(segment);
        if (fresh) {
          it->second.name = segment;
          it->second.bucket = node->bucket;
          it->second.level = node->level + 1;
          it->second.prefix = node->prefix + segment + "/";
        }
        node = &it->second;
      }
      size_t& inLeaf = perLeaf[node->prefix];
      f.sampled = target.sampleSize == 0 || inLeaf < target.sampleSize;
      ++inLeaf;
      node->files.push_back(files_.size());
      files_.push_back(std::move(f));
      any = true;
    }
    if (!any) {
      out_.messages.push_back("No data files under " + target.path);
      return std::optional<Folder>();
    }
    return std::optional<Folder>(std::move(root));
  }

  static void subtreeFiles(const Folder& f, std::vector<size_t>& out) {
    out.insert(out.end(), f.files.begin(), f.files.end());
    for (const auto& [_, c] : f.children) subtreeFiles(c, out);
  }

  // The columns of a member folder, for similarity: CSV headers and JSON
  // arrays from the classifier, the rest from DuckDB's reading of a few of
  // its files (as Glue samples them).
  Result<std::set<std::string>> namesOf(const std::vector<size_t>& files) {
    std::set<std::string> out;
    const FileFormat& format = files_[files.front()].format;
    if (format.classification == "csv" || format.jsonArray) {
      for (size_t i : files) out.insert(files_[i].names.begin(), files_[i].names.end());
      return out;
    }
    std::vector<const File*> sample;
    size_t step = std::max<size_t>(1, files.size() / kMemberSample);
    for (size_t i = 0; i < files.size() && sample.size() < kMemberSample; i += step) {
      sample.push_back(&files_[files[i]]);
    }
    auto described = query("DESCRIBE SELECT * FROM " + reader(format, sample, false));
    if (!described) return described.error();
    for (size_t r = 0; r < described->rowCount(); ++r) {
      out.insert(lower(described->value(r, 0).value_or("")));
    }
    return out;
  }

  static double similarity(const std::set<std::string>& a, const std::set<std::string>& b) {
    if (a.empty() || b.empty()) return a.empty() && b.empty() ? 1 : 0;
    size_t common = 0;
    for (const auto& n : a) common += b.count(n);
    return double(common) / double(std::min(a.size(), b.size()));
  }

  // Whether `folder` holds one table: one format below it, and similar
  // schemas among its members (each sub-folder, and its own files).
  Result<bool> oneTable(const Folder& folder) {
    std::vector<size_t> all;
    subtreeFiles(folder, all);
    std::string key = files_[all.front()].format.compatibilityKey();
    for (size_t i : all) {
      if (files_[i].format.compatibilityKey() != key) return false;
    }
    if (options_.combineCompatibleSchemas) return true;
    std::vector<std::set<std::string>> members;
    std::vector<std::vector<size_t>> memberFiles;
    if (!folder.files.empty()) memberFiles.push_back(folder.files);
    for (const auto& [_, c] : folder.children) {
      std::vector<size_t> files;
      subtreeFiles(c, files);
      if (!files.empty()) memberFiles.push_back(std::move(files));
    }
    if (memberFiles.size() < 2) return true;
    for (const auto& files : memberFiles) {
      auto names = namesOf(files);
      if (!names) return names.error();
      members.push_back(std::move(*names));
    }
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        if (similarity(members[i], members[j]) < kSimilarity) return false;
      }
    }
    return true;
  }

  // `tableLevel` > 0: tables are the folders at that level.
  Result<void> place(const Folder& folder, int tableLevel) {
    if (tableLevel > 0 && folder.level < tableLevel) {
      if (!folder.files.empty()) {
        out_.messages.push_back("Files in s3://" + folder.bucket + "/" + folder.prefix +
                                " are above the table level and were not catalogued");
      }
      for (const auto& [_, c] : folder.children) {
        if (auto r = place(c, tableLevel); !r) return r;
      }
      return {};
    }
    bool single = tableLevel > 0;
    if (!single) {
      auto one = oneTable(folder);
      if (!one) return one.error();
      single = *one;
    }
    if (single) {
      std::vector<size_t> files;
      subtreeFiles(folder, files);
      return buildTable(folder, files);
    }
    for (const auto& [_, c] : folder.children) {
      if (auto r = place(c, tableLevel); !r) return r;
    }
    if (!folder.files.empty()) return buildTable(folder, folder.files);
    return {};
  }

  Result<void> buildTable(const Folder& folder, const std::vector<size_t>& members) {
    DiscoveredTable t;
    t.name = tableNameOf(folder.name);
    t.location = "s3://" + folder.bucket + "/" + folder.prefix;
    const File& first = files_[members.front()];
    t.format = first.format;
    std::vector<const File*> sample;
    for (size_t i : members) {
      if (files_[i].sampled) sample.push_back(&files_[i]);
    }
    if (auto r = readSchema(t, sample); !r) return r;
    if (auto r = countRecords(t, sample); !r) return r;

    size_t base = static_cast<size_t>(folder.level - 1) -
                  static_cast<size_t>(std::count(first.key.begin(), first.key.end(), '/')) +
                  first.folders.size();  // this folder's depth below the include path
    // Partition depth: the shallowest file's folders below the table root.
    size_t depth = SIZE_MAX;
    for (size_t i : members) depth = std::min(depth, files_[i].folders.size() - base);
    std::map<std::vector<std::string>, DiscoveredPartition> partitions;
    uint64_t sampledBytes = 0, sampledRecords = 0;
    for (size_t i : members) {
      const File& f = files_[i];
      t.objects += 1;
      t.bytes += f.size;
      if (f.records) {
        sampledBytes += f.size;
        sampledRecords += *f.records;
      }
      if (depth == 0) continue;
      std::vector<std::string> segments(f.folders.begin() + static_cast<long>(base),
                                        f.folders.begin() + static_cast<long>(base + depth));
      DiscoveredPartition& p = partitions[segments];
      if (p.location.empty()) {
        p.location = t.location;
        for (const auto& s : segments) p.location += s + "/";
      }
      p.objects += 1;
      p.bytes += f.size;
      if (f.records) p.records += *f.records;
    }
    // Record counts of files not sampled: estimated from the sample's bytes
    // per record, as Glue estimates them.
    auto estimate = [&](uint64_t bytes) {
      return sampledBytes == 0
                 ? 0
                 : uint64_t(double(bytes) * double(sampledRecords) / double(sampledBytes));
    };
    t.records = sampledBytes == t.bytes ? sampledRecords : estimate(t.bytes);
    for (size_t d = 0; d < depth; ++d) {
      std::optional<std::string> key;
      bool named = true;
      for (const auto& [segments, _] : partitions) {
        auto eq = segments[d].find('=');
        std::string k = eq == std::string::npos ? std::string() : lower(segments[d].substr(0, eq));
        if (k.empty() || (key && *key != k)) named = false;
        key = k;
      }
      t.partitionKeys.push_back(named && key ? *key : "partition_" + std::to_string(d));
    }
    for (auto& [segments, p] : partitions) {
      p.values = segments;
      // Values of named keys lose their "key=" part.
      for (size_t d = 0; d < depth; ++d) {
        auto eq = p.values[d].find('=');
        if (!t.partitionKeys[d].starts_with("partition_") && eq != std::string::npos) {
          p.values[d] = p.values[d].substr(eq + 1);
        }
      }
      if (p.records == 0 && p.bytes > 0) p.records = estimate(p.bytes);
      t.partitions.push_back(std::move(p));
    }
    // A column named like a partition key is the key.
    std::set<std::string> keys(t.partitionKeys.begin(), t.partitionKeys.end());
    for (size_t c = t.columns.size(); c-- > 0;) {
      if (keys.count(t.columns[c].name)) {
        t.columns.erase(t.columns.begin() + static_cast<long>(c));
        t.sourceNames.erase(t.sourceNames.begin() + static_cast<long>(c));
      }
    }
    out_.tables.push_back(std::move(t));
    return {};
  }

  // The table's columns: DuckDB's reading of the sampled files, merged by name.
  Result<void> readSchema(DiscoveredTable& t, const std::vector<const File*>& sample) {
    auto described = query("DESCRIBE SELECT * FROM " + reader(t.format, sample, false));
    if (!described) return described.error();
    std::set<std::string> seen;
    for (size_t r = 0; r < described->rowCount(); ++r) {
      std::string source = described->value(r, 0).value_or("");
      std::string duckType = described->value(r, 1).value_or("");
      if (t.format.jsonArray) source = "array";
      if (t.format.classification == "csv" && !t.format.header && t.format.headerNames.empty() &&
          source.starts_with("column")) {
        source = "col" + std::to_string(std::stoul(source.substr(6)));
      }
      std::string name = lower(source);
      if (!seen.insert(name).second) continue;  // one name in two cases
      t.columns.push_back({name, glueType(duckType)});
      t.sourceNames.push_back(source);
    }
    return {};
  }

  // Records per sampled file in one pass, which also finds the JSON integer
  // columns whose values all fit in 32 bits: Glue writes those as int.
  Result<void> countRecords(DiscoveredTable& t, const std::vector<const File*>& sample) {
    std::vector<size_t> narrowable;
    std::string sql = "SELECT filename, count(*)";
    // The columns the pass reads, given so DuckDB does not detect them again.
    std::string columns;
    bool json = t.format.classification == "json" && !t.format.jsonArray;
    bool plainJson = json && t.format.jsonPath.empty();
    if (json) {
      for (size_t c = 0; c < t.columns.size(); ++c) {
        if (t.columns[c].type != "bigint") continue;
        narrowable.push_back(c);
        std::string col = "\"";
        for (char ch : t.sourceNames[c])
          col += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        sql += ", bool_and(" + col + "\" BETWEEN -2147483648 AND 2147483647)";
        columns += (columns.empty() ? "" : ", ") + sqlString(t.sourceNames[c]) + ": 'BIGINT'";
      }
    }
    std::string list = sqlList(sample);
    std::string from;
    if (t.format.classification == "parquet") {
      from = "read_parquet(" + list + ", filename=true, hive_partitioning=false)";
    } else if (plainJson) {
      from = narrowable.empty()
                 ? "read_json_objects(" + list + ", filename=true, hive_partitioning=false" +
                       compressionOption(t.format) + ")"
                 : "read_json(" + list + ", filename=true, hive_partitioning=false, columns={" +
                       columns + "}" + compressionOption(t.format) + ")";
    } else {
      from = reader(t.format, sample, true);
    }
    auto rows = query(sql + " FROM " + from + " GROUP BY filename");
    if (!rows) return rows.error();
    std::unordered_map<std::string, const File*> byPath;
    for (const File* f : sample) byPath[f->local.string()] = f;
    std::vector<bool> fits(narrowable.size(), true);
    for (size_t r = 0; r < rows->rowCount(); ++r) {
      auto it = byPath.find(rows->value(r, 0).value_or(""));
      if (it == byPath.end()) continue;
      files_[static_cast<size_t>(it->second - files_.data())].records =
          std::stoull(rows->value(r, 1).value_or("0"));
      for (size_t n = 0; n < narrowable.size(); ++n) {
        if (rows->value(r, 2 + n).value_or("true") == "false") fits[n] = false;
      }
    }
    // Sampled files without rows hold no records.
    for (const File* f : sample) {
      File& file = files_[static_cast<size_t>(f - files_.data())];
      if (!file.records) file.records = 0;
    }
    for (size_t n = 0; n < narrowable.size(); ++n) {
      if (fits[n]) t.columns[narrowable[n]].type = "int";
    }
    return {};
  }

  // Two tables of one crawl with one name: the later ones get a suffix from
  // their location, as Glue disambiguates them.
  void nameTables() {
    std::map<std::string, int> used;
    for (auto& t : out_.tables) {
      if (used[t.name]++ == 0) continue;
      size_t h = std::hash<std::string>{}(t.location);
      char suffix[20];
      std::snprintf(suffix, sizeof suffix, "_%08zx", h & 0xffffffffu);
      t.name += suffix;
    }
  }

  LakeEngine& lake_;
  const DiscoveryOptions& options_;
  LakeCancel& cancel_;
  std::optional<LakeEngine::Lease> con_;
  std::map<std::pair<size_t, std::string>, std::optional<FileFormat>> inlineFormats_;
  std::vector<size_t> uriTarget_;  // the target of each snapshot URI
  std::vector<File> files_;
  Discovery out_;
};

}  // namespace

std::string tableNameOf(std::string_view folder) {
  std::string out;
  for (char c : folder) {
    unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  return out;
}

Result<Discovery> discoverTables(LakeEngine& lake, const Scope& scope,
                                 const std::vector<CrawlTarget>& targets,
                                 const DiscoveryOptions& options, LakeCancel& cancel) {
  return Discoverer(lake, options, cancel).run(scope, targets);
}

}  // namespace sluice::lake
