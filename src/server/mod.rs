//! The scoring service: routing, limits, authentication, the model registry
//! with hot reload, metrics, OpenAPI, the KServe V2 adapter, the prediction
//! log, rolling PSI and shadow scoring ([`lifecycle`]). No scoring
//! logic of its own: every lead goes through [`crate::score::lead`], the same
//! encoder and weights as `leadscore score`.
//!
//! [`router`] builds the whole service as an axum `Router` (testable with
//! `tower::ServiceExt::oneshot`); [`serve`] runs it on a listener until a
//! shutdown future completes, draining in-flight requests.
//!
//! Layers, outermost first: tracing, metrics, the timeout and concurrency
//! limit (answered in the error shape), panic catching, the body limit; a
//! bearer check on the scoring and admin routes. The liveness and readiness
//! probes sit outside the timeout and the concurrency limit, so they answer
//! while scoring is saturated.

pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod health;
pub mod lifecycle;
pub mod metrics;
pub mod openapi;
pub mod registry;
pub mod rolling;
pub mod state;
pub mod v1;
pub mod v2;

use std::future::Future;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Router};
use tokio::net::TcpListener;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use tower_http::validate_request::ValidateRequestHeaderLayer;

pub use config::{ConfigError, ServerConfig, ServerSettings, Token};
pub use error::{ApiError, ErrorBody};
pub use lifecycle::LifecycleSettings;
pub use registry::{ModelSource, Registry, RegistryError};
pub use state::AppState;

use auth::BearerToken;

/// The whole service as a router.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();

    let mut scoring = Router::new()
        .route("/v1/score", post(v1::score))
        .route("/v1/models", get(v1::models::list_models))
        .route("/v1/models/{name}", get(v1::models::model_detail))
        .route("/v2/models/{name}", get(v2::model_metadata))
        .route("/v2/models/{name}/ready", get(v2::model_ready))
        .route("/v2/models/{name}/infer", post(v2::infer));
    if let Some(token) = config.api_token() {
        scoring = scoring.route_layer(ValidateRequestHeaderLayer::custom(BearerToken::new(token)));
    }

    let admin = match config.admin_token() {
        Some(token) => Router::new()
            .route("/v1/admin/reload", post(v1::reload))
            .route_layer(ValidateRequestHeaderLayer::custom(BearerToken::new(token))),
        None => Router::new().route("/v1/admin/reload", post(v1::admin_disabled)),
    };

    // Probes answer even while the scoring routes are saturated: they sit
    // outside the timeout and the concurrency limit.
    let probes = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/v2/health/live", get(v2::live))
        .route("/v2/health/ready", get(v2::ready));

    let open = Router::new()
        .route("/metrics", get(metrics::export))
        .route("/openapi.json", get(openapi::document))
        .route("/v2", get(v2::server_metadata));

    let timeout_ms = config.timeout().as_millis();
    let limits = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(move |error: BoxError| async move {
            if error.is::<tower::timeout::error::Elapsed>() {
                ApiError::Timeout(timeout_ms)
            } else {
                tracing::error!(%error, "unhandled service error");
                ApiError::Internal
            }
        }))
        .timeout(config.timeout())
        .layer(GlobalConcurrencyLimitLayer::new(config.max_concurrency()))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(DefaultBodyLimit::max(config.max_body_bytes()));

    Router::new()
        .merge(scoring)
        .merge(admin)
        .merge(open)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(limits)
        .merge(probes.layer(CatchPanicLayer::custom(panic_response)))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "a request handler panicked");
    ApiError::Internal.into_response()
}

async fn not_found(request: Request) -> ApiError {
    ApiError::NotFound(format!("{} {}", request.method(), request.uri().path()))
}

async fn method_not_allowed(method: Method, request: Request) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        path: request.uri().path().to_string(),
    }
}

/// Serve `state` on `listener` until `shutdown` completes, then stop accepting
/// connections and wait for in-flight requests to finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        // Small JSON responses: do not wait for Nagle's algorithm.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
