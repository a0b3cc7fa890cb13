//! The leadscore API: `POST /v1/score`, `GET /v1/models`, `GET /v1/models/{name}`
//! and `POST /v1/admin/reload`. Handlers only route: parsing a lead and
//! scoring it is the library's [`crate::score::lead`].

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::error::{member_path, ApiError, ErrorBody, ErrorDetail};
use super::extract::{JsonBody, QueryParams};
use super::registry::{Registry, ServedModel};
use super::state::{AppState, ReloadedModel};
use crate::encode::FeatureEncoder;
use crate::schema::Transform;
use crate::score::lead::{json_type, score_fields, FieldProblem, ScoredLead};

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
            _ => {
                let results =
                    score_many(&state, &served, &[("$".to_string(), &body)], with_reasons)?;
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
    let results = score_many(&state, &served, &leads, with_reasons)?;
    Ok(Json(ScoreReply::Many(BatchScoreResponse {
        results,
        model: ModelRef::of(&served),
    })))
}

/// Score every lead or report every problem of every lead.
fn score_many(
    state: &AppState,
    served: &ServedModel,
    leads: &[(String, &Value)],
    with_reasons: bool,
) -> Result<Vec<ScoredLead>, ApiError> {
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
        match score_fields(&served.model, |_, name| fields.get(name), with_reasons) {
            Ok(result) => results.push(result),
            Err(problems) => details.extend(details_at(path, problems)),
        }
    }
    if !details.is_empty() {
        return Err(invalid_fields(details, leads.len()));
    }
    state
        .metrics()
        .count_leads(&served.name, results.iter().map(|r| r.stage));
    Ok(results)
}

/// A served model in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelSummary {
    /// Name to address it by (`?model=NAME`).
    pub name: String,
    /// Version (file SHA-256 prefix).
    pub version: String,
    /// When it was trained.
    pub trained_at: String,
    /// Whether it is the default model.
    pub default: bool,
    /// Number of input fields.
    pub fields: usize,
    /// Holdout ROC AUC recorded at training.
    pub holdout_roc_auc: f64,
}

/// `GET /v1/models` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    /// Name of the default model.
    pub default: String,
    /// Every served model.
    pub models: Vec<ModelSummary>,
}

/// List the served models.
#[utoipa::path(get, path = "/v1/models", tag = "models",
    responses((status = 200, body = ModelList), (status = 401, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn list_models(State(state): State<AppState>) -> Json<ModelList> {
    let registry = state.models();
    Json(ModelList {
        default: registry.default_name().to_string(),
        models: registry
            .models()
            .map(|m| ModelSummary {
                name: m.name.clone(),
                version: m.version.clone(),
                trained_at: m.model.trained_at().to_string(),
                default: m.name == registry.default_name(),
                fields: m.model.schema().features.len(),
                holdout_roc_auc: m.model.holdout().metrics.roc_auc,
            })
            .collect(),
    })
}

/// One input field a model expects.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldInfo {
    /// Field name (matched exactly).
    pub name: String,
    /// `numeric`, `boolean` or `categorical`.
    pub kind: String,
    /// The JSON type to send: `number`, `boolean` or `string`.
    #[serde(rename = "type")]
    pub json_type: String,
    /// Whether a lead without it is refused (otherwise it is imputed).
    pub required: bool,
    /// Categorical: levels with their own weight (others score as `other`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<String>>,
    /// Numeric: the value imputed when missing (training median).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imputed_with: Option<f64>,
    /// Numeric: `log1p` when the value is log-transformed before scoring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<String>,
    /// Numeric: the "not applicable" code, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentinel: Option<f64>,
}

/// `GET /v1/models/{name}` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelDetail {
    /// Name, version and training time.
    #[serde(flatten)]
    pub model: ModelRef,
    /// Whether it is the default model.
    pub default: bool,
    /// Artifact format version.
    pub format_version: u32,
    /// leadscore version that trained it.
    pub leadscore_version: String,
    /// What the probability is of: the label column and its converted value.
    pub label: String,
    /// The label value meaning converted.
    pub positive: String,
    /// Input fields, in model order.
    pub fields: Vec<FieldInfo>,
    /// MQL and SQL probability cut-offs.
    #[schema(value_type = Object)]
    pub cutoffs: crate::model::stages::Cutoffs,
    /// How the cut-offs were chosen, when recorded.
    #[schema(value_type = Object)]
    pub cutoff_choice: Option<crate::model::CutoffChoice>,
    /// How probabilities become points.
    #[schema(value_type = Object)]
    pub points_scale: crate::points::PointsScale,
    /// Holdout split and metrics.
    #[schema(value_type = Object)]
    pub holdout: crate::model::Holdout,
    /// Intercept (log-odds).
    pub intercept: f64,
    /// Every weight, by encoded term.
    #[schema(value_type = Vec<Object>)]
    pub coefficients: Vec<crate::model::Coefficient>,
    /// Training data summary.
    #[schema(value_type = Object)]
    pub training: crate::model::TrainingCard,
}

/// One model's fields, cut-offs, holdout metrics and coefficients.
#[utoipa::path(get, path = "/v1/models/{name}", tag = "models",
    params(("name" = String, Path, description = "Model name (or `default`)")),
    responses((status = 200, body = ModelDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn model_detail(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ModelDetail>, ApiError> {
    let registry = state.models();
    let served = find_model(&registry, Some(&name))?;
    let model = &served.model;
    let fields = model
        .encoder()
        .features()
        .iter()
        .zip(&model.schema().features)
        .map(|(encoder, spec)| {
            let (levels, imputed_with, transform, sentinel) = match encoder {
                FeatureEncoder::Categorical(e) => (Some(e.levels().to_vec()), None, None, None),
                FeatureEncoder::Numeric(e) => (
                    None,
                    Some(e.median()),
                    (e.transform() == Transform::Log1p).then(|| "log1p".to_string()),
                    e.sentinel(),
                ),
                FeatureEncoder::Boolean(_) => (None, None, None, None),
            };
            FieldInfo {
                name: spec.name.clone(),
                kind: format!("{:?}", spec.kind).to_lowercase(),
                json_type: json_type(spec.kind).to_string(),
                required: spec.required,
                levels,
                imputed_with,
                transform,
                sentinel,
            }
        })
        .collect();
    Ok(Json(ModelDetail {
        model: ModelRef::of(&served),
        default: served.name == registry.default_name(),
        format_version: model.format_version(),
        leadscore_version: model.leadscore_version().to_string(),
        label: model.schema().label.clone(),
        positive: model.schema().positive.clone(),
        fields,
        cutoffs: model.cutoffs(),
        cutoff_choice: model.cutoff_choice().cloned(),
        points_scale: model.points_scale(),
        holdout: model.holdout().clone(),
        intercept: model.intercept(),
        coefficients: model.coefficients().to_vec(),
        training: model.training().clone(),
    }))
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
