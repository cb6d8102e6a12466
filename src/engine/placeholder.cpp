namespace sluice::engine {}
