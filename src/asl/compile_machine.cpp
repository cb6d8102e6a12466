// A machine object: StartAt, States (in definition order) and the checks
// that span states. Nested machines (branches, item processors) use the same
// code with their own location prefix.
#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

std::shared_ptr<Machine> compileMachine(CompileContext& ctx, const Json& definition,
                                        const std::string& location,
                                        std::initializer_list<std::string_view> allowed) {
  auto machine = std::make_shared<Machine>();
  machine->raw = definition;
  machine->queryLanguage = ctx.machineLanguage;
  if (!definition.is_object()) {
    ctx.schema("Expected value of type: Object", location);
    return machine;
  }
  const auto& obj = definition.get_object();
  checkAllowedFields(ctx, obj, allowed, location);

  std::string missing;
  for (std::string_view key : {"StartAt", "States"}) {
    if (!obj.contains(key)) missing += (missing.empty() ? "" : ", ") + std::string(key);
  }
  if (!missing.empty()) ctx.schema("These fields are required: [" + missing + "]", location);

  if (auto comment = readString(ctx, obj, "Comment", location)) machine->comment = *comment;
  auto startAt = readString(ctx, obj, "StartAt", location);

  std::string statesLoc = childLocation(location, "States");
  if (auto it = obj.find("States"); it != obj.end()) {
    if (!it->value().is_object()) {
      ctx.schema("Expected value of type: Object", statesLoc);
    } else if (it->value().get_object().empty()) {
      ctx.schema("Object must contain at least 1 item", statesLoc);
    } else {
      for (const auto& kv : it->value().get_object()) {
        std::string name(kv.key());
        std::string stateLoc = childLocation(statesLoc, name);
        if (!ctx.stateNames.insert(name).second) {
          ctx.error("DUPLICATE_STATE_NAME", "Duplicate State name: " + name, stateLoc);
        }
        if (name.empty() || name.size() > 80) {
          ctx.error("INVALID_STATE_NAME", "State name must be between 1 and 80 characters",
                    stateLoc);
        }
        machine->indexByName.emplace(name, static_cast<int>(machine->states.size()));
        machine->states.push_back(compileState(ctx, name, kv.value(), stateLoc));
      }
    }
  }

  bool startValid = false;
  if (startAt && !machine->states.empty()) {
    auto found = machine->indexByName.find(*startAt);
    if (found == machine->indexByName.end()) {
      ctx.error(kMissingTarget, "Missing 'StartAt' target: " + *startAt,
                childLocation(location, "StartAt"));
    } else {
      machine->startAt = found->second;
      startValid = true;
    }
  }
  if (!machine->states.empty()) resolveTransitions(ctx, *machine, location, startValid);
  return machine;
}

}  // namespace sluice::asl::detail
