// A visual job's DAG: the CodeGenConfigurationNodes Glue Studio saves (node
// id -> exactly one node type), read and checked when the job is saved —
// every node a type Sluice runs, every input a node of the DAG, the right
// number of inputs, no cycle — and put in an order where each node comes
// after its inputs.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::glue {

struct DagNode {
  std::string id;
  std::string type;  // S3ParquetSource, ApplyMapping, ...
  Json spec;         // the node's members
  std::vector<std::string> inputs;
  enum class Role { kSource, kTransform, kTarget } role = Role::kTransform;
};

struct JobDag {
  std::vector<DagNode> nodes;  // inputs before the nodes that read them
};

// The DAG of `nodes` (a CodeGenConfigurationNodes map); InvalidInputException
// naming the node and what is wrong.
Result<JobDag> readJobDag(const Json& nodes);

// The node types Sluice runs, by role.
const std::vector<std::string>& supportedNodeTypes();

}  // namespace sluice::services::glue
