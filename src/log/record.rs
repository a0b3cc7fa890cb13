//! What the log holds per scored lead.

use std::sync::Arc;

use serde::Serialize;

use crate::model::stages::Stage;
use crate::score::lead::Reasons;

/// Why a model scored a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The model that answered the request.
    Served,
    /// A challenger scoring the same lead in shadow mode (not answered).
    Shadow,
}

impl Role {
    /// How the log stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Served => "served",
            Role::Shadow => "shadow",
        }
    }

    /// The role stored as `text`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "served" => Some(Role::Served),
            "shadow" => Some(Role::Shadow),
            _ => None,
        }
    }
}

/// One scored lead, as the service hands it to the log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    /// When it was scored (RFC 3339, UTC, milliseconds). Shared by the
    /// leads of one request, as are the model's name and version.
    pub logged_at: Arc<str>,
    /// The model's name.
    pub model: Arc<str>,
    /// The model's version (first 12 hex digits of its file's SHA-256).
    pub model_version: Arc<str>,
    /// Served or shadow.
    pub role: Role,
    /// The scored lead's key within this service run: a served score and
    /// its shadow share it.
    pub request: String,
    /// The lead's id, when an id field is configured and present.
    pub lead_id: Option<String>,
    /// Probability of converting.
    pub probability: f64,
    /// Funnel stage.
    pub stage: Stage,
    /// Points.
    pub points: i64,
    /// The top reasons, written as JSON (`{"base_points":…,"up":[…],"down":[…]}`)
    /// by the writer thread, off the request path.
    pub reasons: Option<Reasons>,
    /// The raw input fields as JSON (only with `--log-fields`).
    pub fields: Option<String>,
}

impl LogRecord {
    /// The reasons as the log stores them: compact JSON.
    pub fn reasons_json(&self) -> Option<String> {
        self.reasons
            .as_ref()
            .and_then(|r| serde_json::to_string(r).ok())
    }
}

/// One score read back from the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedScore {
    /// Row order in the log (increasing with time).
    pub seq: i64,
    /// When it was scored.
    pub logged_at: String,
    /// Model name.
    pub model: String,
    /// Model version.
    pub model_version: String,
    /// Served or shadow.
    pub role: Role,
    /// The lead's id, when logged.
    pub lead_id: Option<String>,
    /// Probability.
    pub probability: f64,
    /// Stage.
    pub stage: Stage,
    /// Points.
    pub points: i64,
}

/// The stage stored as `text`.
pub(crate) fn parse_stage(text: &str) -> Option<Stage> {
    Stage::ALL.into_iter().find(|s| s.as_str() == text)
}
