//! What the service does with each scored lead besides answering: hand it
//! to the prediction log, add it to the rolling PSI, and score it with the
//! shadow challenger. None of it can fail a request or hold it up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::registry::ServedModel;
use super::rolling::{RollingScores, DEFAULT_WINDOW};
use crate::log::{LogRecord, LogSettings, PredictionLog, Role};
use crate::score::lead::ScoredLead;

/// How the service logs and shadows, as given.
#[derive(Debug, Clone)]
pub struct LifecycleSettings {
    /// The prediction log (none: no log).
    pub log: Option<LogSettings>,
    /// The lead field whose value is logged as the lead's id (default: the
    /// model's id column, when it was trained with one).
    pub log_id: Option<String>,
    /// Log every lead's raw input fields (they may hold personal data).
    pub log_fields: bool,
    /// A model that scores every lead the default model answers, logged only.
    pub shadow: Option<String>,
    /// Leads in the rolling PSI window.
    pub psi_window: usize,
}

impl Default for LifecycleSettings {
    fn default() -> Self {
        LifecycleSettings {
            log: None,
            log_id: None,
            log_fields: false,
            shadow: None,
            psi_window: DEFAULT_WINDOW,
        }
    }
}

/// The running log, shadow and rolling windows.
#[derive(Debug)]
pub struct Lifecycle {
    pub(super) log: Option<PredictionLog>,
    pub(super) log_id: Option<String>,
    pub(super) log_fields: bool,
    pub(super) shadow: Option<String>,
    pub(super) rolling: RollingScores,
    run: String,
    next: AtomicU64,
}

/// One lead as the handlers have it: its fields by name.
pub type Fields<'a> = &'a Map<String, Value>;

impl Lifecycle {
    /// Start from checked settings and an opened log.
    pub(super) fn new(settings: &LifecycleSettings, log: Option<PredictionLog>) -> Lifecycle {
        Lifecycle {
            log,
            log_id: settings.log_id.clone(),
            log_fields: settings.log_fields,
            shadow: settings.shadow.clone(),
            rolling: RollingScores::new(settings.psi_window),
            run: format!("{:x}", chrono::Utc::now().timestamp_millis()),
            next: AtomicU64::new(0),
        }
    }

    /// Whether scored leads are logged (handlers then compute reasons for
    /// the log even when the caller did not ask for them).
    pub fn logging(&self) -> bool {
        self.log.is_some()
    }

    /// The prediction log, when there is one.
    pub fn log(&self) -> Option<&PredictionLog> {
        self.log.as_ref()
    }

    /// The shadow model's name, when one is configured.
    pub fn shadow(&self) -> Option<&str> {
        self.shadow.as_deref()
    }

    /// The lead field logged as the id of leads `served` scores: `--log-id`,
    /// else the model's id column.
    pub fn id_field<'m>(&'m self, served: &'m ServedModel) -> Option<&'m str> {
        self.log_id
            .as_deref()
            .or(served.model.schema().id.as_deref())
    }

    /// Whether the log needs input field `name` of leads `served` scores:
    /// every field with `--log-fields`, else only the id.
    pub fn logs_field(&self, served: &ServedModel, name: &str) -> bool {
        self.log_fields || self.id_field(served) == Some(name)
    }

    /// A fresh key per scored lead, shared by its served and shadow rows.
    pub fn key(&self) -> String {
        format!("{}-{}", self.run, self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// Record leads `served` just scored: the rolling PSI, and one log row
    /// each, handed to the log in one message. `fields(i)` gives lead
    /// `i`'s fields, `keys[i]` its key. With `take_reasons` the reasons move
    /// into the log (the caller did not ask for them), else they are copied.
    pub fn observe<'a>(
        &self,
        served: &ServedModel,
        role: Role,
        keys: &[String],
        results: &mut [ScoredLead],
        take_reasons: bool,
        fields: impl Fn(usize) -> Option<Fields<'a>>,
    ) {
        if let Some(reference) = served.model.reference() {
            self.rolling.observe(
                &served.name,
                &served.version,
                &reference.score,
                results.iter().map(|r| r.probability),
            );
        }
        let Some(log) = &self.log else {
            return;
        };
        let id_field = self.id_field(served);
        let logged_at: Arc<str> = chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into();
        let model: Arc<str> = served.name.as_str().into();
        let version: Arc<str> = served.version.as_str().into();
        let records = results
            .iter_mut()
            .zip(keys)
            .enumerate()
            .map(|(i, (result, key))| {
                let lead = fields(i);
                LogRecord {
                    logged_at: Arc::clone(&logged_at),
                    model: Arc::clone(&model),
                    model_version: Arc::clone(&version),
                    role,
                    request: key.clone(),
                    lead_id: id_field
                        .and_then(|f| lead.and_then(|l| l.get(f)))
                        .and_then(id_text),
                    probability: result.probability,
                    stage: result.stage,
                    points: result.points,
                    reasons: if take_reasons {
                        result.reasons.take()
                    } else {
                        result.reasons.clone()
                    },
                    fields: if self.log_fields {
                        lead.and_then(|l| serde_json::to_string(l).ok())
                    } else {
                        None
                    },
                }
            })
            .collect();
        log.record(records);
    }
}

/// An id field's value as text: a string (trimmed) or a number; anything
/// else (null, blank, objects) is no id.
pub fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
