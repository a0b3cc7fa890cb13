//! Using a model where the leads already live: the encoder, the score, the
//! points and the stages as one SQL query per engine ([`sql::select`]).

pub mod dialect;
pub mod reasons;
pub mod sql;

pub use dialect::Dialect;
pub use sql::{select, SqlOptions};

/// Why a model cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The model uses something the SQL export does not write yet.
    #[error("feature '{feature}' is {what}, which the SQL export does not write yet; score this model with `leadscore score`, or retrain without it")]
    Unsupported {
        /// The feature.
        feature: String,
        /// What it uses.
        what: String,
    },
    /// `--reasons` on a model without term means (format version < 3).
    #[error("the model has no term means (format version < 3), so it has no reasons; retrain it, or export without --reasons")]
    NoTermMeans,
}
