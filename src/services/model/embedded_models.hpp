// The botocore service models compiled into the binary (generated into
// services/models/models_embedded.cpp by scripts/gen_service_models.py), so the
// single binary needs no data files at run time.
#pragma once

#include <string_view>
#include <vector>

namespace sluice::services {

// The compact model JSON of `service` (Sluice's service name, the SigV4
// signing name: "states", "sqs", "s3", ...); empty when there is none.
std::string_view serviceModelJson(std::string_view service);

// Names of every embedded model, sorted.
std::vector<std::string_view> embeddedServiceModels();

}  // namespace sluice::services
