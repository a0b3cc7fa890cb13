//! # leadscore
//!
//! Learn which B2B leads become paying customers, from your own history, and
//! score new leads with a conversion probability, a funnel stage (lead / MQL /
//! SQL) and points.
//!
//! The flow: a table of past leads ([`data`]) → a [`schema`] of features →
//! a fitted [`encode::Encoder`] → an L2-regularised logistic regression with the
//! penalty chosen by cross-validation ([`train`], [`fit`]) → a [`model::Model`]
//! saved as a versioned JSON [`artifact`] → batch scoring ([`score`]).
//!
//! ```no_run
//! use std::path::Path;
//! use leadscore::{artifact, data, progress::NoProgress, train::{train, TrainSettings}};
//!
//! # fn main() -> leadscore::Result<()> {
//! let path = Path::new("data/leads.csv");
//! let frame = data::read_table(path, &data::ReadOptions::default())?;
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

pub mod artifact;
pub mod backtest;
pub mod compare;
pub mod data;
pub mod dates;
pub mod encode;
pub mod error;
pub mod evaluate;
pub mod fit;
pub mod generate;
pub mod label;
pub mod lead;
pub mod metrics;
pub mod model;
pub mod points;
pub mod policy;
pub mod progress;
pub mod reasons;
pub mod report;
pub mod rules;
pub mod schema;
pub mod score;
pub mod server;
pub mod stages;
pub mod train;

pub use error::{Error, Result};
pub use model::Model;
