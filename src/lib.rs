//! # leadscore
//!
//! Learn which B2B leads become paying customers, from your own history, and
//! score new leads with a conversion probability, a funnel stage (lead / MQL /
//! SQL) and points.
//!
//! The flow, one folder per stage: a table of past leads is read ([`io`]) →
//! a [`schema`] of features is inferred → a fitted [`encode::Encoder`] turns
//! values into terms → an L2-regularised logistic regression is fitted with
//! the penalty chosen by cross-validation ([`train`]) → the [`model::Model`]
//! is saved as a versioned JSON artifact → it scores tables, single leads and
//! reason codes ([`score`]) and serves them over HTTP ([`server`]) → it is
//! judged on labelled leads ([`evaluate`], [`report`]) and set beside
//! hand-set points ([`points`]), and written as SQL for the engines where the
//! leads live ([`export`]). [`demo`] generates leads with a known truth.
//!
//! Each CLI command is one library call (`train::job::run`,
//! `evaluate::job::evaluate_file`, `points::job::run` …).
//!
//! ```no_run
//! use std::path::Path;
//! use leadscore::{io, model::artifact, progress::NoProgress, train::{train, TrainSettings}};
//!
//! # fn main() -> leadscore::Result<()> {
//! let path = Path::new("data/leads.csv");
//! let frame = io::read_table(path, &io::ReadOptions::default())?;
//! let config = TrainSettings {
//!     label: Some("converted".into()),
//!     date: Some("created_at".into()),
//!     id: Some("lead_id".into()),
//!     ..TrainSettings::default()
//! }
//! .check()?;
//! let model = train(&frame, path, &config, &NoProgress)?.model;
//! println!("holdout ROC AUC {:.3}", model.holdout().metrics.roc_auc);
//! artifact::save(&model, Path::new("models/example.json"))?;
//! # Ok(())
//! # }
//! ```

// In flow order: read → schema → encode → train → model → use it (score,
// serve) → judge it (evaluate, report) → points.
pub mod error;
pub mod progress;

pub mod demo;
pub mod encode;
pub mod evaluate;
pub mod export;
pub mod io;
pub mod log;
pub mod model;
pub mod points;
pub mod report;
pub mod schema;
pub mod score;
pub mod server;
pub mod train;

pub use error::{Error, Result};
pub use model::Model;
