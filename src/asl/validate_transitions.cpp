// Transitions of one machine scope: Next / End, Choice targets, Catch
// targets; then reachability from StartAt and the existence of a terminal
// state (MISSING_TRANSITION_TARGET / MISSING_END_STATE, as AWS reports them).
#include <deque>

#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

namespace {

class TransitionResolver {
 public:
  TransitionResolver(CompileContext& ctx, Machine& machine, const std::string& location)
      : ctx_(ctx),
        machine_(machine),
        location_(location),
        statesLoc_(childLocation(location, "States")) {}

  void resolveAll() {
    for (auto& st : machine_.states) resolve(st);
  }

  void checkReachable() {
    std::vector<bool> seen(machine_.states.size(), false);
    std::deque<int> queue{machine_.startAt};
    seen[static_cast<size_t>(machine_.startAt)] = true;
    while (!queue.empty()) {
      const State& st = machine_.states[static_cast<size_t>(queue.front())];
      queue.pop_front();
      for (int target : successors(st)) {
        if (target >= 0 && !seen[static_cast<size_t>(target)]) {
          seen[static_cast<size_t>(target)] = true;
          queue.push_back(target);
        }
      }
    }
    for (size_t i = 0; i < seen.size(); ++i) {
      if (seen[i]) continue;
      const auto& name = machine_.states[i].name;
      ctx_.error(kMissingTarget, "State \"" + name + "\" is not reachable.",
                 childLocation(statesLoc_, name));
    }
  }

  void checkTerminal() {
    for (const auto& st : machine_.states) {
      if (st.end || st.type == StateType::Succeed || st.type == StateType::Fail) return;
    }
    ctx_.error("MISSING_END_STATE", "Workflow has no terminal state", location_);
  }

 private:
  static std::vector<int> successors(const State& st) {
    std::vector<int> out{st.next};
    if (st.type == StateType::Choice) {
      const auto& spec = st.as<ChoiceSpec>();
      for (const auto& b : spec.choices) out.push_back(b.next);
      out.push_back(spec.defaultNext);
    }
    for (const auto& c : st.catchers) out.push_back(c.next);
    return out;
  }

  // Index of `target`, or -1 after reporting a missing target.
  int lookup(const Json& target, std::string_view field, const std::string& loc) {
    if (!target.is_string()) return -1;  // type already reported
    std::string name(target.get_string());
    auto it = machine_.indexByName.find(name);
    if (it == machine_.indexByName.end()) {
      ctx_.error(kMissingTarget, "Missing '" + std::string(field) + "' target: " + name, loc);
      return -1;
    }
    return it->second;
  }

  void resolve(State& st) {
    if (!st.raw.is_object()) return;
    const auto& obj = st.raw.get_object();
    std::string loc = childLocation(statesLoc_, st.name);
    bool flows =
        st.type != StateType::Choice && st.type != StateType::Succeed && st.type != StateType::Fail;
    if (flows) {
      auto next = obj.find("Next");
      auto end = obj.find("End");
      if (end != obj.end() && !end->value().is_bool()) {
        ctx_.schema("Expected value of type: Boolean", childLocation(loc, "End"));
      }
      bool isEnd = end != obj.end() && end->value().is_bool() && end->value().get_bool();
      if (next != obj.end() && isEnd) {
        ctx_.schema("Only one of 'Next' or 'End' can be set", loc);
      } else if (next == obj.end() && !isEnd) {
        ctx_.schema("Exactly one of the fields [Next, End] must be set", loc);
      }
      st.end = isEnd;
      if (next != obj.end()) {
        if (!next->value().is_string()) {
          ctx_.schema("Expected value of type: String", childLocation(loc, "Next"));
        }
        st.next = lookup(next->value(), "Next", childLocation(loc, "Next"));
      }
    }
    if (st.type == StateType::Choice) resolveChoice(st, obj, loc);
    if (auto it = obj.find("Catch"); it != obj.end() && it->value().is_array()) {
      size_t i = 0, k = 0;
      for (const auto& entry : it->value().get_array()) {
        std::string entryLoc = childLocation(childLocation(loc, "Catch"), i++);
        if (!entry.is_object() || k >= st.catchers.size()) continue;
        if (auto n = entry.get_object().find("Next"); n != entry.get_object().end()) {
          st.catchers[k].next = lookup(n->value(), "Next", childLocation(entryLoc, "Next"));
        }
        ++k;
      }
    }
  }

  void resolveChoice(State& st, const JsonObject& obj, const std::string& loc) {
    auto& spec = std::get<ChoiceSpec>(st.spec);
    if (auto it = obj.find("Choices"); it != obj.end() && it->value().is_array()) {
      size_t i = 0, k = 0;
      for (const auto& entry : it->value().get_array()) {
        std::string entryLoc = childLocation(childLocation(loc, "Choices"), i++);
        if (!entry.is_object() || k >= spec.choices.size()) continue;
        if (auto n = entry.get_object().find("Next"); n != entry.get_object().end()) {
          spec.choices[k].next = lookup(n->value(), "Next", childLocation(entryLoc, "Next"));
        }
        ++k;
      }
    }
    if (auto it = obj.find("Default"); it != obj.end()) {
      spec.defaultNext = lookup(it->value(), "Default", childLocation(loc, "Default"));
    }
  }

  CompileContext& ctx_;
  Machine& machine_;
  std::string location_;
  std::string statesLoc_;
};

}  // namespace

void resolveTransitions(CompileContext& ctx, Machine& machine, const std::string& location,
                        bool checkReachability) {
  TransitionResolver resolver(ctx, machine, location);
  resolver.resolveAll();
  if (checkReachability) resolver.checkReachable();
  resolver.checkTerminal();
}

}  // namespace sluice::asl::detail
