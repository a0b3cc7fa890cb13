//! Judging a model on labelled leads: pure metrics, the full evaluation
//! (deciles, bands, stages), cut-off policies and the rolling-origin backtest.

pub mod backtest;
pub mod cutoffs;
pub mod evaluation;
pub mod job;
pub mod metrics;
pub mod policy;
pub mod text;
