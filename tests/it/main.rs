//! The integration-test binary: the CLI end to end, the error catalogue,
//! recovery of a known truth, parity with scikit-learn, and the scoring
//! service (through its router and as a real process).

mod age_days;
mod compare;
mod drift;
mod errors;
mod evaluation;
mod examples;
mod exports;
mod helpers;
mod leakage;
mod notebooks;
mod pg;
mod pipeline;
mod points;
mod postgres_io;
mod prediction_log;
mod representation;
mod serve;
mod service;
mod service_inputs;
mod service_process;
mod sklearn_parity;
mod sql_export;
mod truth;
