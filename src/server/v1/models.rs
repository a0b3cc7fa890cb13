//! `GET /v1/models` and `GET /v1/models/{name}`: the served models, and one
//! model's fields, cut-offs, points scale, holdout metrics and weights.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{find_model, ModelRef};
use crate::encode::FeatureEncoder;
use crate::schema::Transform;
use crate::score::lead::json_type;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;

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
    /// Numeric: `log1p` when the value is log-transformed before scoring,
    /// `bins` or `monotone_bins` when it is scored per bin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<String>,
    /// Numeric, binned: the lower end of every bin but the first (a value
    /// falls in the last bin whose lower end it reaches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin_edges: Option<Vec<f64>>,
    /// Numeric: the "not applicable" code, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentinel: Option<f64>,
    /// A date scored as its age in days: what the days count up to (the
    /// lead's date field, which the lead must then carry too, or a fixed date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days_to: Option<String>,
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
    /// The same cut-offs in points: a lead's stage follows from its points.
    #[schema(value_type = Object)]
    pub cutoff_points: crate::model::stages::PointCutoffs,
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
                    (e.transform() != Transform::None).then(|| e.transform().name().to_string()),
                    e.sentinel(),
                ),
                FeatureEncoder::Boolean(_) => (None, None, None, None),
            };
            let bin_edges = match encoder {
                FeatureEncoder::Numeric(e) => e.bins().map(|b| b.edges().to_vec()),
                _ => None,
            };
            FieldInfo {
                name: spec.name.clone(),
                kind: format!("{:?}", spec.kind).to_lowercase(),
                json_type: if spec.age_days.is_some() {
                    "string".to_string()
                } else {
                    json_type(spec.kind).to_string()
                },
                age_days_to: spec.age_days.as_ref().map(|a| a.reference.describe()),
                required: spec.required,
                levels,
                imputed_with,
                transform,
                bin_edges,
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
        cutoff_points: model.cutoffs().in_points(&model.points_scale()),
        cutoff_choice: model.cutoff_choice().cloned(),
        points_scale: model.points_scale(),
        holdout: model.holdout().clone(),
        intercept: model.intercept(),
        coefficients: model.coefficients().to_vec(),
        training: model.training().clone(),
    }))
}
