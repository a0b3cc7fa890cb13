//! The integration-test binary: the CLI end to end, the error catalogue,
//! recovery of a known truth, and parity with scikit-learn.

mod errors;
mod evaluation;
mod helpers;
mod pipeline;
mod points;
mod sklearn_parity;
mod truth;
