// The functions Step Functions adds to JSONata: $partition, $range, $hash,
// $random, $uuid and $parse. Registered on the bindings of every JSONata
// evaluation inside a state machine.
#pragma once

#include "asl/jsonata/jsonata.hpp"
#include "core/ids.hpp"

namespace sluice::asl {

void addStepFunctionsFunctions(jsonata::Bindings& bindings, IdGenerator& ids);

}  // namespace sluice::asl
