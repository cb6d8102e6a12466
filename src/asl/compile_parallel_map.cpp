// Parallel branches and Map item processors: each is a nested machine with
// its own StartAt/States scope, compiled with locations inside the parent
// (e.g. /States/M/ItemProcessor/States/X).
#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

namespace {

constexpr long long kMaxCount = 2147483647;

bool isJsonata(const State& st) {
  return st.queryLanguage == QueryLanguage::JSONata;
}

// A literal field or its `...Path` twin, never both.
template <typename T, typename Read>
ValueOrPath<T> readValueOrPath(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                               const std::string& loc, bool jsonata, Read read) {
  ValueOrPath<T> out;
  std::string pathKey = std::string(key) + "Path";
  if (obj.contains(key) && obj.contains(pathKey)) {
    ctx.schema("Only one of '" + std::string(key) + "' or '" + pathKey + "' can be set", loc);
  }
  if (auto it = obj.find(key); it != obj.end()) {
    if (jsonata && isJsonataExpression(it->value())) {
      out.expression = readJsonata(ctx, obj, key, loc);
    } else {
      out.value = read();
    }
  }
  if (!jsonata) out.path = readPath(ctx, obj, pathKey, loc, true);
  return out;
}

}  // namespace

void compileParallel(CompileContext& ctx, const JsonObject& obj, const std::string& loc,
                     State& st) {
  auto& spec = std::get<ParallelSpec>(st.spec);
  std::string branchesLoc = childLocation(loc, "Branches");
  auto it = obj.find("Branches");
  if (it == obj.end()) {
    ctx.schema("These fields are required: [Branches]", loc);
    return;
  }
  if (!it->value().is_array()) {
    ctx.schema("Expected value of type: Array", branchesLoc);
    return;
  }
  if (it->value().get_array().empty()) {
    ctx.schema("Array must contain at least 1 item", branchesLoc);
  }
  size_t i = 0;
  for (const auto& branch : it->value().get_array()) {
    spec.branches.push_back(compileMachine(ctx, branch, childLocation(branchesLoc, i++),
                                           {"StartAt", "States", "Comment", "QueryLanguage"}));
  }
}

void compileMap(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  auto& spec = std::get<MapSpec>(st.spec);
  bool jsonata = isJsonata(st);

  const char* processorKey = obj.contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
  if (obj.contains("ItemProcessor") && obj.contains("Iterator")) {
    ctx.schema("Only one of 'ItemProcessor' or 'Iterator' can be set", loc);
  }
  if (auto it = obj.find(processorKey); it == obj.end()) {
    ctx.schema("These fields are required: [ItemProcessor]", loc);
  } else {
    std::string processorLoc = childLocation(loc, processorKey);
    spec.processor = compileMachine(ctx, it->value(), processorLoc,
                                    {"StartAt", "States", "Comment", "ProcessorConfig"});
    if (it->value().is_object()) {
      if (auto cfg = it->value().get_object().find("ProcessorConfig");
          cfg != it->value().get_object().end()) {
        std::string cfgLoc = childLocation(processorLoc, "ProcessorConfig");
        if (!cfg->value().is_object()) {
          ctx.schema("Expected value of type: Object", cfgLoc);
        } else {
          const auto& c = cfg->value().get_object();
          checkAllowedFields(ctx, c, {"Mode", "ExecutionType"}, cfgLoc);
          if (auto mode = readString(ctx, c, "Mode", cfgLoc)) {
            if (*mode == "DISTRIBUTED") {
              spec.distributed = true;
            } else if (*mode != "INLINE") {
              ctx.schema("Value is not one of [INLINE, DISTRIBUTED]",
                         childLocation(cfgLoc, "Mode"));
            }
          }
          if (auto type = readString(ctx, c, "ExecutionType", cfgLoc)) {
            if (*type != "STANDARD" && *type != "EXPRESS") {
              ctx.schema("Value is not one of [STANDARD, EXPRESS]",
                         childLocation(cfgLoc, "ExecutionType"));
            }
            spec.executionType = *type;
          }
        }
      }
    }
  }

  if (jsonata) {
    if (auto it = obj.find("Items"); it != obj.end()) {
      if (!it->value().is_array() && !isJsonataExpression(it->value())) {
        ctx.schema("The value for the field 'Items' must be an array or a JSONata expression",
                   childLocation(loc, "Items"));
      } else {
        spec.items = readJsonata(ctx, obj, "Items", loc);
      }
    }
    spec.jsonataItemSelector = readJsonata(ctx, obj, "ItemSelector", loc);
  } else {
    spec.itemsPath = readPath(ctx, obj, "ItemsPath", loc, true);
    if (obj.contains("ItemSelector") && obj.contains("Parameters")) {
      ctx.schema("Only one of 'ItemSelector' or 'Parameters' can be set", loc);
    }
    spec.itemSelector =
        readTemplate(ctx, obj, obj.contains("ItemSelector") ? "ItemSelector" : "Parameters", loc);
  }

  spec.maxConcurrency = readValueOrPath<long long>(ctx, obj, "MaxConcurrency", loc, jsonata, [&] {
    return readInteger(ctx, obj, "MaxConcurrency", loc, 0, kMaxCount);
  });
  spec.toleratedFailureCount = readValueOrPath<long long>(
      ctx, obj, "ToleratedFailureCount", loc, jsonata,
      [&] { return readInteger(ctx, obj, "ToleratedFailureCount", loc, 0, kMaxCount); });
  spec.toleratedFailurePercentage = readValueOrPath<double>(
      ctx, obj, "ToleratedFailurePercentage", loc, jsonata,
      [&] { return readNumber(ctx, obj, "ToleratedFailurePercentage", loc, 0, 100); });

  for (auto [key, slot] :
       {std::pair{"ItemBatcher", &spec.itemBatcher}, std::pair{"ItemReader", &spec.itemReader},
        std::pair{"ResultWriter", &spec.resultWriter}}) {
    if (auto it = obj.find(key); it != obj.end()) {
      if (!it->value().is_object()) {
        ctx.schema("Expected value of type: Object", childLocation(loc, key));
      } else {
        *slot = it->value();
      }
    }
  }
  spec.label = readString(ctx, obj, "Label", loc);
}

}  // namespace sluice::asl::detail
