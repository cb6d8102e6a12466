#include "services/glue/job_dag.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "lake/dqdl.hpp"
#include "services/glue/glue_names.hpp"

namespace sluice::services::glue {

namespace {

struct NodeKind {
  const char* type;
  DagNode::Role role;
  int minInputs, maxInputs;  // -1: any number
};

const std::vector<NodeKind>& kinds() {
  using R = DagNode::Role;
  static const std::vector<NodeKind> all = {
      {"S3ParquetSource", R::kSource, 0, 0},
      {"S3JsonSource", R::kSource, 0, 0},
      {"S3CsvSource", R::kSource, 0, 0},
      {"S3CatalogSource", R::kSource, 0, 0},
      {"CatalogSource", R::kSource, 0, 0},
      {"ApplyMapping", R::kTransform, 1, 1},
      {"SelectFields", R::kTransform, 1, 1},
      {"DropFields", R::kTransform, 1, 1},
      {"RenameField", R::kTransform, 1, 1},
      {"Filter", R::kTransform, 1, 1},
      {"Join", R::kTransform, 2, 2},
      {"Union", R::kTransform, 2, 2},
      {"DropDuplicates", R::kTransform, 1, 1},
      {"DropNullFields", R::kTransform, 1, 1},
      {"Aggregate", R::kTransform, 1, 1},
      {"SparkSQL", R::kTransform, 1, -1},
      {"EvaluateDataQuality", R::kTransform, 1, 1},
      {"EvaluateDataQualityMultiFrame", R::kTransform, 1, -1},
      {"SelectFromCollection", R::kTransform, 1, 1},
      {"S3GlueParquetTarget", R::kTarget, 1, 1},
      {"S3DirectTarget", R::kTarget, 1, 1},
      {"S3CatalogTarget", R::kTarget, 1, 1},
      {"CatalogTarget", R::kTarget, 1, 1},
  };
  return all;
}

const NodeKind* kindOf(const std::string& type) {
  for (const auto& k : kinds()) {
    if (type == k.type) return &k;
  }
  return nullptr;
}

}  // namespace

const std::vector<std::string>& supportedNodeTypes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& k : kinds()) out.emplace_back(k.type);
    return out;
  }();
  return names;
}

Result<JobDag> readJobDag(const Json& nodes) {
  if (!nodes.is_object()) return invalidInput("CodeGenConfigurationNodes must be a map of nodes.");
  std::map<std::string, DagNode> byId;
  for (const auto& kv : nodes.as_object()) {
    std::string id(kv.key());
    if (!kv.value().is_object() || kv.value().as_object().size() != 1) {
      return invalidInput("Node " + id + " must have exactly one node type.");
    }
    const auto& only = *kv.value().as_object().begin();
    DagNode node;
    node.id = id;
    node.type = std::string(only.key());
    node.spec = only.value();
    const NodeKind* kind = kindOf(node.type);
    if (!kind) {
      std::string list;
      for (const auto& n : supportedNodeTypes()) list += (list.empty() ? "" : ", ") + n;
      return invalidInput("Node " + id + " is a " + node.type +
                          ", which Sluice does not run. Supported node types: " + list + ".");
    }
    node.role = kind->role;
    if (!node.spec.is_object()) return invalidInput("Node " + id + " must be an object.");
    if (const Json* in = node.spec.as_object().if_contains("Inputs")) {
      if (!in->is_array()) return invalidInput("Node " + id + ": Inputs must be a list.");
      for (const Json& i : in->as_array()) {
        if (!i.is_string()) return invalidInput("Node " + id + ": Inputs must be node ids.");
        node.inputs.emplace_back(i.as_string());
      }
    }
    int n = static_cast<int>(node.inputs.size());
    if (n < kind->minInputs || (kind->maxInputs >= 0 && n > kind->maxInputs)) {
      return invalidInput("Node " + id + " (" + node.type + ") takes " +
                          (kind->minInputs == kind->maxInputs
                               ? std::to_string(kind->minInputs)
                               : "at least " + std::to_string(kind->minInputs)) +
                          " input(s), not " + std::to_string(n) + ".");
    }
    if (node.type == "EvaluateDataQuality" || node.type == "EvaluateDataQualityMultiFrame") {
      auto rules = lake::parseDqdl(jsonString(jsonAt(node.spec, {"Ruleset"})));
      if (!rules) {
        return invalidInput("Node " + id + " (" + node.type + "): " + rules.error().message);
      }
      // Its references are among its inputs.
      if (const Json* extra = jsonAt(node.spec, {"AdditionalDataSources"});
          extra && extra->is_object()) {
        for (const auto& kv : extra->as_object()) {
          std::string from = jsonString(&kv.value());
          if (std::find(node.inputs.begin(), node.inputs.end(), from) == node.inputs.end()) {
            return invalidInput("Node " + id + " (" + node.type + "): the data source " +
                                std::string(kv.key()) + " names " + from +
                                ", which is not one of its Inputs.");
          }
        }
      }
    }
    byId.emplace(id, std::move(node));
  }
  for (const auto& [id, node] : byId) {
    for (const auto& in : node.inputs) {
      auto it = byId.find(in);
      if (it == byId.end()) {
        return invalidInput("Node " + id + " reads node " + in + ", which is not in the job.");
      }
      if (it->second.role == DagNode::Role::kTarget) {
        return invalidInput("Node " + id + " reads node " + in + ", a target.");
      }
      if (node.type == "SelectFromCollection") {
        // A Data Quality node's collection holds ruleOutcomes and
        // rowLevelOutcomes; any other node's, its one frame.
        const Json* index = jsonAt(node.spec, {"Index"});
        bool dq = it->second.type == "EvaluateDataQuality" ||
                  it->second.type == "EvaluateDataQualityMultiFrame";
        if (!index || !index->is_int64() || index->as_int64() < 0 ||
            index->as_int64() > (dq ? 1 : 0)) {
          return invalidInput("Node " + id + " (SelectFromCollection): Index must be " +
                              (dq ? "0 (ruleOutcomes) or 1 (rowLevelOutcomes)" : "0") +
                              " for the collection of node " + in + ".");
        }
      }
    }
  }
  // Kahn's order; what is left over is a cycle.
  std::map<std::string, int> waiting;
  std::map<std::string, std::vector<std::string>> readers;
  for (const auto& [id, node] : byId) {
    waiting[id] = static_cast<int>(node.inputs.size());
    for (const auto& in : node.inputs) readers[in].push_back(id);
  }
  std::vector<std::string> ready;
  for (const auto& [id, n] : waiting) {
    if (n == 0) ready.push_back(id);
  }
  JobDag dag;
  while (!ready.empty()) {
    std::sort(ready.begin(), ready.end(), std::greater<>());
    std::string id = ready.back();
    ready.pop_back();
    dag.nodes.push_back(byId.at(id));
    for (const auto& r : readers[id]) {
      if (--waiting[r] == 0) ready.push_back(r);
    }
  }
  if (dag.nodes.size() != byId.size()) {
    std::string stuck;
    for (const auto& [id, n] : waiting) {
      if (n > 0) stuck += (stuck.empty() ? "" : ", ") + id;
    }
    return invalidInput("The job's nodes form a cycle: " + stuck + ".");
  }
  if (std::none_of(dag.nodes.begin(), dag.nodes.end(),
                   [](const DagNode& n) { return n.role == DagNode::Role::kTarget; })) {
    return invalidInput("The job has no target node: nothing would be written.");
  }
  return dag;
}

}  // namespace sluice::services::glue
