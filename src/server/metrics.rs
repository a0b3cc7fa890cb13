//! Prometheus metrics (OpenMetrics text via `prometheus-client`): requests by
//! route and status, a latency histogram per route, leads scored by model and
//! stage, reloads, which model versions are loaded, the prediction log's
//! counts (queued, written, dropped, failed, pending), shadow scoring errors
//! and the rolling PSI of each model's score.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry as MetricRegistry;

use super::registry::Registry;
use super::rolling::RollingPsi;
use super::state::AppState;
use crate::log::LogCounters;
use crate::model::stages::Stage;

/// Content type of the OpenMetrics text format.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LeadLabels {
    model: String,
    stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModelLabels {
    model: String,
    version: String,
    trained_at: String,
    default: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    model: String,
    version: String,
}

type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 100 µs to ~6.5 s, doubling.
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

/// The service's metrics and their registry.
pub struct ServiceMetrics {
    registry: MetricRegistry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    leads: Family<LeadLabels, Counter>,
    models: Family<ModelLabels, Gauge>,
    reloads: Family<ReloadLabels, Counter>,
    log: LogCounters,
    log_pending: Gauge,
    shadow_errors: Counter,
    psi: Family<VersionLabels, FloatGauge>,
    psi_leads: Family<VersionLabels, Gauge>,
}

impl std::fmt::Debug for ServiceMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceMetrics")
    }
}

impl Default for ServiceMetrics {
    fn default() -> Self {
        let mut registry = MetricRegistry::with_prefix("leadscore");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = HistogramFamily::new_with_constructor(latency_histogram);
        let leads = Family::<LeadLabels, Counter>::default();
        let models = Family::<ModelLabels, Gauge>::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response, by route",
            latency.clone(),
        );
        registry.register(
            "leads_scored",
            "Leads scored, by model and funnel stage",
            leads.clone(),
        );
        registry.register(
            "model_info",
            "Loaded models (value 1) with their version and training time",
            models.clone(),
        );
        registry.register("model_reloads", "Model reloads by outcome", reloads.clone());
        let log = LogCounters::default();
        let log_pending = Gauge::default();
        registry.register(
            "prediction_log_queued",
            "Scored leads accepted into the prediction log's queue",
            log.queued.clone(),
        );
        registry.register(
            "prediction_log_written",
            "Scored leads written to the prediction log",
            log.written.clone(),
        );
        registry.register(
            "prediction_log_dropped",
            "Scored leads not logged because the queue was full (scoring never waits)",
            log.dropped.clone(),
        );
        registry.register(
            "prediction_log_failed",
            "Scored leads lost because the log database kept failing",
            log.failed.clone(),
        );
        registry.register(
            "prediction_log_pending",
            "Scored leads queued or being written",
            log_pending.clone(),
        );
        let shadow_errors = Counter::default();
        registry.register(
            "shadow_errors",
            "Leads the shadow model could not score (the default model answered them)",
            shadow_errors.clone(),
        );
        let psi = Family::<VersionLabels, FloatGauge>::default();
        let psi_leads = Family::<VersionLabels, Gauge>::default();
        registry.register(
            "score_psi",
            "Population stability index of the last scored leads' probabilities against training (< 0.1 stable, 0.1-0.25 watch, > 0.25 act)",
            psi.clone(),
        );
        registry.register(
            "score_psi_window_leads",
            "Leads in the rolling PSI window",
            psi_leads.clone(),
        );
        ServiceMetrics {
            registry,
            requests,
            latency,
            leads,
            models,
            reloads,
            log,
            log_pending,
            shadow_errors,
            psi,
            psi_leads,
        }
    }
}

impl ServiceMetrics {
    /// Record one finished request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Count leads scored by `model`, one per stage in `stages`.
    pub fn count_leads(&self, model: &str, stages: impl IntoIterator<Item = Stage>) {
        let mut counts = [0u64; 3];
        for stage in stages {
            counts[stage as usize] += 1;
        }
        for (stage, n) in Stage::ALL.iter().zip(counts) {
            if n > 0 {
                self.leads
                    .get_or_create(&LeadLabels {
                        model: model.to_string(),
                        stage: stage.as_str().to_string(),
                    })
                    .inc_by(n);
            }
        }
    }

    /// Replace the model-info series with the models of `registry`.
    pub fn set_models(&self, registry: &Registry) {
        self.models.clear();
        for served in registry.models() {
            self.models
                .get_or_create(&ModelLabels {
                    model: served.name.clone(),
                    version: served.version.clone(),
                    trained_at: served.model.trained_at().to_string(),
                    default: (served.name == registry.default_name()).to_string(),
                })
                .set(1);
        }
    }

    /// Count a reload attempt.
    pub fn count_reload(&self, ok: bool) {
        self.reloads
            .get_or_create(&ReloadLabels {
                outcome: if ok { "ok" } else { "error" }.to_string(),
            })
            .inc();
    }

    /// The prediction log's counters (shared with the log's writer).
    pub fn log_counters(&self) -> &LogCounters {
        &self.log
    }

    /// Count a lead the shadow model could not score.
    pub fn count_shadow_error(&self) {
        self.shadow_errors.inc();
    }

    /// Set the rolling PSI series to `windows` (models without a window or
    /// with an empty one have no series).
    pub fn set_rolling(&self, windows: &[RollingPsi]) {
        self.psi.clear();
        self.psi_leads.clear();
        for w in windows.iter().filter(|w| w.leads > 0) {
            let labels = VersionLabels {
                model: w.model.clone(),
                version: w.version.clone(),
            };
            self.psi.get_or_create(&labels).set(w.psi);
            self.psi_leads.get_or_create(&labels).set(w.leads as i64);
        }
    }

    /// The metrics in OpenMetrics text.
    pub fn encode(&self) -> String {
        self.log_pending.set(self.log.pending() as i64);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Middleware (via `axum::middleware::from_fn_with_state`): time every
/// request and count it by matched route and status.
pub async fn track(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let route = matched.map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = request.method().as_str().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    state
        .metrics()
        .observe_request(&route, &method, response.status().as_u16(), start.elapsed());
    response
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus / OpenMetrics text", content_type = "application/openmetrics-text", body = String)))]
pub async fn export(State(state): State<AppState>) -> Response {
    state
        .metrics()
        .set_rolling(&state.lifecycle().rolling.snapshot());
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics().encode(),
    )
        .into_response()
}
