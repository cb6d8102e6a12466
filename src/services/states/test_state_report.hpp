// TestState's response: status, output, error, next state, and at DEBUG and
// TRACE the inspection data, from what the single-state run reported.
#pragma once

#include "asl/machine.hpp"
#include "core/json.hpp"
#include "engine/single_state.hpp"

namespace sluice::services::states {

// `inspect`: inspectionLevel DEBUG or TRACE (INFO returns no inspectionData).
// JSONPath-only steps are left out for JSONata states and the other way round.
Json testStateResponse(const engine::SingleStateReport& report, const asl::State& state,
                       bool inspect);

}  // namespace sluice::services::states
