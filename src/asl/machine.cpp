#include "asl/machine.hpp"

namespace sluice::asl {

std::string_view stateTypeName(StateType t) {
  switch (t) {
    case StateType::Pass:
      return "Pass";
    case StateType::Task:
      return "Task";
    case StateType::Choice:
      return "Choice";
    case StateType::Wait:
      return "Wait";
    case StateType::Succeed:
      return "Succeed";
    case StateType::Fail:
      return "Fail";
    case StateType::Parallel:
      return "Parallel";
    case StateType::Map:
      return "Map";
  }
  return "Unknown";
}

}  // namespace sluice::asl
