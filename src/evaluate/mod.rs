//! Judging a model on labelled leads: pure metrics, the full evaluation
//! (deciles, bands, stages), cut-off policies, the rolling-origin backtest,
//! comparing two models and measuring drift against the training distribution.

pub mod backtest;
pub mod compare;
pub mod cutoffs;
pub mod delong;
pub mod drift;
pub mod evaluation;
pub mod job;
pub mod metrics;
pub mod outcomes;
pub mod policy;
pub mod psi;
pub mod text;
