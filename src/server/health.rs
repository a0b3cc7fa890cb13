//! `GET /healthz` (the process answers) and `GET /readyz` (a model is loaded).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::v1::ModelRef;

/// Liveness body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Live {
    /// Always `ok`.
    pub status: String,
}

/// Readiness body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ready`.
    pub status: String,
    /// The default model.
    pub default_model: ModelRef,
    /// Number of models served.
    pub models: usize,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Live)))]
pub async fn live() -> Json<Live> {
    Json(Live {
        status: "ok".into(),
    })
}

/// A model is loaded and requests can be scored.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Ready), (status = 503, body = ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let registry = state.models();
    let served = registry.get(None).ok_or(ApiError::Internal)?;
    Ok(Json(Ready {
        status: "ready".into(),
        default_model: ModelRef::of(served),
        models: registry.models().count(),
    }))
}
