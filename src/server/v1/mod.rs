//! The leadscore API: `POST /v1/score`, `GET /v1/models`, `GET /v1/models/{name}`
//! and `POST /v1/admin/reload`. Handlers only route: parsing a lead and
//! scoring it is the library's [`crate::score::lead`].

pub mod models;

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::log::Role;
use crate::score::lead::{score_fields, FieldProblem, ScoredLead};
use crate::server::error::{member_path, ApiError, ErrorBody, ErrorDetail};
use crate::server::extract::{JsonBody, QueryParams};
use crate::server::registry::{Registry, ServedModel};
use crate::server::state::{AppState, ReloadedModel};

pub use models::{FieldInfo, ModelDetail, ModelList, ModelSummary};

/// Most field problems listed in one error response.
const MAX_DETAILS: usize = 100;

/// Which model scored a lead.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ModelRef {
    /// Name the model is served under.
    pub name: String,
    /// First 12 hex digits of the model file's SHA-256.
    pub version: String,
    /// When it was trained (UTC).
    pub trained_at: String,
}

impl ModelRef {
    /// The reference to a served model.
    pub fn of(served: &ServedModel) -> ModelRef {
        ModelRef {
            name: served.name.clone(),
            version: served.version.clone(),
            trained_at: served.model.trained_at().to_string(),
        }
    }
}

/// Query parameters of `POST /v1/score`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// Model to score with (default: the server's default model).
    pub model: Option<String>,
    /// Include reasons (default true).
    pub reasons: Option<bool>,
}

/// One lead: its fields by name, as in the training data. Extra fields are
/// ignored; a missing field is imputed as in training (and reported in
/// `warnings`) unless the model marks it required.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(value_type = Object, example = json!({"industry": "software", "company_size": 120, "demo_requested": true}))]
pub struct Lead(pub Map<String, Value>);

/// Several leads in one request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeadBatch {
    /// The leads (at most the server's batch limit, 1000 by default).
    pub leads: Vec<Lead>,
}

/// Body of `POST /v1/score`: one lead, or `{"leads": [...]}`. Documentation
/// only: the handler reads the JSON itself to name every bad field's path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScoreRequest {
    /// Several leads.
    Many(LeadBatch),
    /// One lead.
    One(Lead),
}

/// Body of a successful `POST /v1/score`: one result, or one per lead.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ScoreReply {
    /// For one lead.
    One(ScoreResponse),
    /// For `{"leads": [...]}`.
    Many(BatchScoreResponse),
}

/// The score of one lead and the model that gave it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreResponse {
    /// The score.
    #[serde(flatten)]
    pub result: ScoredLead,
    /// The model that scored it.
    pub model: ModelRef,
}

/// Scores of a batch, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchScoreResponse {
    /// One result per lead.
    pub results: Vec<ScoredLead>,
    /// The model that scored them.
    pub model: ModelRef,
}

/// The model registry, or the error naming what is served.
pub fn find_model(registry: &Registry, name: Option<&str>) -> Result<Arc<ServedModel>, ApiError> {
    registry
        .get(name)
        .cloned()
        .ok_or_else(|| ApiError::UnknownModel {
            name: name.unwrap_or_default().to_string(),
            available: registry.names().join(", "),
        })
}

/// Field problems of the lead at `path` as error details.
pub fn details_at(
    path: &str,
    problems: Vec<FieldProblem>,
) -> impl Iterator<Item = ErrorDetail> + '_ {
    problems.into_iter().map(move |p| ErrorDetail {
        path: member_path(path, &p.field),
        expected: Some(p.expected.to_string()),
        found: Some(p.found),
        message: p.message,
    })
}

/// The 422 for a list of details.
pub fn invalid_fields(mut details: Vec<ErrorDetail>, leads: usize) -> ApiError {
    let total = details.len();
    details.truncate(MAX_DETAILS);
    let Some(first) = details.first() else {
        return ApiError::InvalidFields {
            message: "the lead(s) could not be scored".into(),
            details,
        };
    };
    let message = if total == 1 {
        format!("{}: {}", first.path, first.message)
    } else {
        format!(
            "{total} invalid values in {leads} lead(s), first {}: {}{}",
            first.path,
            first.message,
            if total > MAX_DETAILS {
                format!(" (the first {MAX_DETAILS} are listed)")
            } else {
                String::new()
            }
        )
    };
    ApiError::InvalidFields { message, details }
}

/// Score leads: one object, or `{"leads": [...]}`.
#[utoipa::path(post, path = "/v1/score", tag = "scoring",
    params(ScoreQuery),
    request_body(content = ScoreRequest, description = "One lead, or {\"leads\": [...]}"),
    responses(
        (status = 200, description = "The score of each lead and the model version that gave it", body = ScoreReply),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "Unknown model", body = ErrorBody),
        (status = 413, description = "Body or batch too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A field of the wrong type, an unparsable value or a missing required field", body = ErrorBody),
        (status = 503, description = "Timed out", body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn score(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ScoreQuery>,
    JsonBody(body): JsonBody,
) -> Result<Json<ScoreReply>, ApiError> {
    let registry = state.models();
    let served = find_model(&registry, query.model.as_deref())?;
    let with_reasons = query.reasons.unwrap_or(true);
    let leads: Vec<(String, &Value)> = match &body {
        Value::Object(obj) => match obj.get("leads") {
            Some(Value::Array(items)) => {
                let limit = state.config().max_batch();
                if items.len() > limit {
                    return Err(ApiError::TooManyLeads {
                        count: items.len(),
                        limit,
                    });
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (format!("$.leads[{k}]"), v))
                    .collect()
            }
            Some(other) if !served.known.contains("leads") => {
                return Err(ApiError::shape(
                    "$.leads",
                    "an array of lead objects",
                    crate::score::lead::describe_json(other),
                ))
            }
            _ => {
                let results = score_many(
                    &state,
                    &served,
                    &[("$".to_string(), &body)],
                    with_reasons,
                    query.model.is_none(),
                )?;
                let result = results.into_iter().next().ok_or(ApiError::Internal)?;
                return Ok(Json(ScoreReply::One(ScoreResponse {
                    result,
                    model: ModelRef::of(&served),
                })));
            }
        },
        other => {
            return Err(ApiError::shape(
                "$",
                "an object (one lead or {\"leads\": [...]})",
                crate::score::lead::describe_json(other),
            ))
        }
    };
    let results = score_many(&state, &served, &leads, with_reasons, query.model.is_none())?;
    Ok(Json(ScoreReply::Many(BatchScoreResponse {
        results,
        model: ModelRef::of(&served),
    })))
}

/// Score every lead or report every problem of every lead; then log them
/// and, for a request to the default model, score them with the shadow.
fn score_many(
    state: &AppState,
    served: &ServedModel,
    leads: &[(String, &Value)],
    with_reasons: bool,
    default_request: bool,
) -> Result<Vec<ScoredLead>, ApiError> {
    let lifecycle = state.lifecycle();
    // The log records every lead's reasons, asked for or not.
    let compute_reasons = with_reasons || lifecycle.logging();
    let mut results = Vec::with_capacity(leads.len());
    let mut details = Vec::new();
    for (path, lead) in leads {
        let Value::Object(fields) = lead else {
            details.push(ErrorDetail {
                path: path.clone(),
                expected: Some("object".into()),
                found: Some(crate::score::lead::describe_json(lead)),
                message: "each lead must be a JSON object of fields".into(),
            });
            continue;
        };
        match score_fields(&served.model, |name| fields.get(name), compute_reasons) {
            Ok(mut result) => {
                let unknown = fields.keys().map(String::as_str);
                result.warnings.extend(served.known.warnings(unknown));
                results.push(result);
            }
            Err(problems) => details.extend(details_at(path, problems)),
        }
    }
    if !details.is_empty() {
        return Err(invalid_fields(details, leads.len()));
    }
    state
        .metrics()
        .count_leads(&served.name, results.iter().map(|r| r.stage));
    let fields = |i: usize| leads.get(i).and_then(|(_, v)| v.as_object());
    let keys: Vec<String> = if lifecycle.logging() {
        (0..results.len()).map(|_| lifecycle.key()).collect()
    } else {
        Vec::new()
    };
    lifecycle.observe(
        served,
        Role::Served,
        &keys,
        &mut results,
        !with_reasons,
        fields,
    );
    if default_request {
        if let Some(shadow) = lifecycle
            .shadow()
            .and_then(|n| state.models().get(Some(n)).cloned())
        {
            let mut shadow_results = Vec::with_capacity(results.len());
            let mut shadow_keys = Vec::with_capacity(results.len());
            let mut shadow_fields = Vec::with_capacity(results.len());
            for (i, fields_i) in (0..leads.len()).filter_map(|i| fields(i).map(|f| (i, f))) {
                match score_fields(
                    &shadow.model,
                    |name| fields_i.get(name),
                    lifecycle.logging(),
                ) {
                    Ok(r) => {
                        shadow_results.push(r);
                        shadow_keys.push(keys.get(i).cloned().unwrap_or_default());
                        shadow_fields.push(fields_i);
                    }
                    Err(_) => state.metrics().count_shadow_error(),
                }
            }
            lifecycle.observe(
                &shadow,
                Role::Shadow,
                &shadow_keys,
                &mut shadow_results,
                true,
                |i| shadow_fields.get(i).copied(),
            );
        }
    }
    if !with_reasons {
        for r in &mut results {
            r.reasons = None;
        }
    }
    Ok(results)
}

/// `POST /v1/admin/reload` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadResponse {
    /// Always true (a failed reload is an error response).
    pub reloaded: bool,
    /// The default model after the reload.
    pub default: String,
    /// Every model now serving, with the version it replaced.
    pub models: Vec<ReloadedModel>,
}

/// Reload the models from disk; a bad file leaves the old models serving.
#[utoipa::path(post, path = "/v1/admin/reload", tag = "admin",
    responses(
        (status = 200, body = ReloadResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Admin endpoints disabled (no LEADSCORE_ADMIN_TOKEN)", body = ErrorBody),
        (status = 422, description = "The new files failed to load; nothing changed", body = ErrorBody)),
    security(("admin_bearer" = [])))]
pub async fn reload(State(state): State<AppState>) -> Result<Json<ReloadResponse>, ApiError> {
    match state.reload().await {
        Ok(models) => {
            tracing::info!(?models, "models reloaded (admin endpoint)");
            Ok(Json(ReloadResponse {
                reloaded: true,
                default: state.models().default_name().to_string(),
                models,
            }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "reload failed; previous models keep serving");
            Err(ApiError::ReloadFailed(e.to_string()))
        }
    }
}

/// The admin route when no admin token is configured.
pub async fn admin_disabled() -> ApiError {
    ApiError::AdminDisabled
}
