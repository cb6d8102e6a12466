// Internal to the engine: a Frame runs one list of states — the execution's
// top level, one Parallel branch or one Map iteration — and holds the state
// it is in and whatever that state is waiting for.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "engine/execution.hpp"

namespace sluice::engine {

// Children of a Parallel or Map state that is running.
struct ChildGroup {
  std::vector<Execution::FramePtr> frames;  // index = branch / item index
  std::vector<Json> items;                  // Map: the item inputs (after batching)
  JsonArray results;
  size_t launched = 0;
  size_t running = 0;
  size_t completed = 0;
  size_t failures = 0;
  size_t maxConcurrency = 0;   // 0 = unlimited
  double toleratedCount = -1;  // -1: none tolerated
  double toleratedPercentage = -1;
  bool distributed = false;
  bool closed = false;     // failed or finished: ignore late completions
  bool launching = false;  // its frames are being started (synchronous completions)
  // Tasks of frames started together: each starts once all are scheduled.
  std::vector<std::function<void()>> deferredStarts;
  Json mapInput;  // the effective input ItemSelector sees
  int64_t startedEventId = 0;
};

// A group's fields in a checkpoint (checkpoint.cpp), without its frames.
JsonObject groupCheckpoint(const ChildGroup& g);

struct Execution::Frame {
  const asl::Machine* machine = nullptr;
  std::unique_ptr<asl::VarScope> vars;
  const Frame* parent = nullptr;
  bool recordEvents = true;
  int64_t lastEventId = 0;
  std::function<void(asl::Outcome<Json>)> onDone;
  bool finished = false;
  // How the frame ended, and the children of the Parallel/Map state it ended
  // in: what a redrive needs to re-run only what failed (redrive.cpp).
  enum class End : uint8_t { Running, Succeeded, Failed, Aborted } end = End::Running;
  std::shared_ptr<ChildGroup> endedGroup;
  bool redrive = false;  // restored from a redrive checkpoint: re-run on resume

  // The current state.
  int stateIndex = -1;
  Json rawInput;
  Json effectiveInput;  // InputPath's selection, when it is not `$`
  int64_t enteredEventId = 0;
  int64_t enteredAfterEventId = 0;  // the event before the state was entered
  TimePoint enteredTime;
  int retryCount = 0;
  std::vector<int> retrierAttempts;
  uint64_t generation = 0;  // bumped per attempt; stale completions compare it

  // What the current state waits for. The due times are what a checkpoint
  // records, so a restored execution re-arms the same timers.
  EventLoop::TimerId timer = 0;
  EventLoop::TimerId timeoutTimer = 0;
  EventLoop::TimerId heartbeatTimer = 0;
  TimePoint waitUntil{};      // Wait state timer (while `timer` is armed for it)
  Json waitInput;             // the Wait state's effective input, for its output
  TimePoint retryAt{};        // Retry back-off timer (while `timer` is armed for it)
  TimePoint timeoutAt{};      // Task TimeoutSeconds deadline
  TimePoint heartbeatAt{};    // Task HeartbeatSeconds deadline
  bool taskInFlight = false;  // a Task attempt is dispatched and not settled
  bool taskStarted = false;   // activities: a worker took the task
  // A Task's error ended this Map iteration: its TaskStateAborted follows
  // the MapIterationFailed (state_map.cpp).
  bool abortedTask = false;
  // A task time-out recorded but not yet acted on (see state_task.cpp).
  std::optional<asl::StatesError> pendingFailure;
  std::unique_ptr<RunningTask> task;
  std::shared_ptr<ChildGroup> group;
  std::optional<ParsedResource> taskResource;
  std::string taskToken;
  std::optional<Json> mapItem;
  int choiceNext = -1;  // the branch a Choice state picked  // {"Index":..,"Value":..} while
                        // evaluating ItemSelector

  // Cached context object for the current state (built on demand).
  std::optional<Json> context;

  // Trampoline for synchronous transitions (no deep recursion on long chains).
  bool driving = false;
  bool hasPending = false;
  int pendingNext = -1;
  Json pendingInput;
  std::shared_ptr<const std::string> pendingInputText;  // pendingInput's JSON text, if known
  std::vector<MemberSpan> pendingInputMembers;          // its members, when an object

  // The current state's input text (its Entered event's) and, when it is an
  // object, where its members are: a state that only sets `$.name` gets its
  // output text by splicing the result in, not by serialising the whole
  // document again (completeState). `outputText` carries that to exitState.
  std::shared_ptr<const std::string> inputText;  // shared with the Entered event
  std::vector<MemberSpan> inputMembers;
  std::shared_ptr<const std::string> outputText;
  std::vector<MemberSpan> outputMembers;

  const asl::State& state() const { return machine->states[static_cast<size_t>(stateIndex)]; }
};

}  // namespace sluice::engine
