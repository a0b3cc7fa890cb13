//! Points: the scorecard scale (PDO), hand-set rules from `points.toml` with
//! their refit and verdicts, and the comparison of hand-set and learned points.

pub mod compare;
pub mod condition;
pub mod job;
pub mod rules;
pub mod scale;
pub mod text;

pub use scale::{PointsScale, ScorecardScale, DEFAULT_BASE_ODDS, DEFAULT_BASE_SCORE, DEFAULT_PDO};
