//! What every handler shares: the current models (swapped atomically on
//! reload), where they come from, the limits, and the metrics.

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde::Serialize;

use super::config::ServerConfig;
use super::lifecycle::{Lifecycle, LifecycleSettings};
use super::metrics::ServiceMetrics;
use super::registry::{ModelSource, Registry, RegistryError};

/// Shared state of the service; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    models: ArcSwap<Registry>,
    source: ModelSource,
    config: ServerConfig,
    metrics: ServiceMetrics,
    lifecycle: Lifecycle,
    reloading: tokio::sync::Mutex<()>,
}

/// One model's version before and after a reload.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReloadedModel {
    /// Model name.
    pub name: String,
    /// Version now serving.
    pub version: String,
    /// Version served before (absent for a new model).
    pub previous_version: Option<String>,
}

impl AppState {
    /// Load the models of `source` (all of them must load and pass their
    /// checks), without a prediction log or shadow.
    pub fn load(source: ModelSource, config: ServerConfig) -> Result<AppState, RegistryError> {
        AppState::load_with(source, config, &LifecycleSettings::default())
    }

    /// Load the models, check the shadow model is among them, and open the
    /// prediction log (creating its file or table).
    pub fn load_with(
        source: ModelSource,
        config: ServerConfig,
        lifecycle: &LifecycleSettings,
    ) -> Result<AppState, RegistryError> {
        let registry = Registry::load(&source)?;
        check_shadow(&registry, lifecycle.shadow.as_deref())?;
        let metrics = ServiceMetrics::default();
        metrics.set_models(&registry);
        let log = lifecycle
            .log
            .as_ref()
            .map(|settings| {
                crate::log::PredictionLog::open(settings, metrics.log_counters().clone())
            })
            .transpose()
            .map_err(RegistryError::Log)?;
        Ok(AppState {
            inner: Arc::new(Shared {
                models: ArcSwap::from_pointee(registry),
                source,
                config,
                metrics,
                lifecycle: Lifecycle::new(lifecycle, log),
                reloading: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The prediction log, rolling PSI and shadow.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.inner.lifecycle
    }

    /// The models serving now. Hold the returned `Arc` for the whole request
    /// so a concurrent reload never changes the model mid-request.
    pub fn models(&self) -> Arc<Registry> {
        self.inner.models.load_full()
    }

    /// Limits and credentials.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// Metrics.
    pub fn metrics(&self) -> &ServiceMetrics {
        &self.inner.metrics
    }

    /// Where the models come from.
    pub fn source(&self) -> &ModelSource {
        &self.inner.source
    }

    /// Load the models again from their source and, only if every one loads
    /// and passes its checks, swap them in atomically. In-flight requests
    /// finish on the models they started with; on error nothing changes.
    /// Reloads run one at a time.
    pub async fn reload(&self) -> Result<Vec<ReloadedModel>, RegistryError> {
        let _one_at_a_time = self.inner.reloading.lock().await;
        let source = self.inner.source.clone();
        let loaded = tokio::task::spawn_blocking(move || Registry::load(&source))
            .await
            .map_err(|e| RegistryError::Interrupted(e.to_string()))
            .and_then(|r| r);
        let metrics = &self.inner.metrics;
        let registry = match loaded.and_then(|r| {
            check_shadow(&r, self.inner.lifecycle.shadow())?;
            Ok(r)
        }) {
            Ok(registry) => registry,
            Err(e) => {
                metrics.count_reload(false);
                return Err(e);
            }
        };
        let previous = self.models();
        let summary = registry
            .models()
            .map(|m| ReloadedModel {
                name: m.name.clone(),
                version: m.version.clone(),
                previous_version: previous.get(Some(&m.name)).map(|p| p.version.clone()),
            })
            .collect();
        metrics.set_models(&registry);
        self.inner.models.store(Arc::new(registry));
        metrics.count_reload(true);
        Ok(summary)
    }
}

/// The shadow model must be served (and must not be the default itself).
fn check_shadow(registry: &Registry, shadow: Option<&str>) -> Result<(), RegistryError> {
    match shadow {
        Some(name)
            if registry
                .get(Some(name))
                .is_none_or(|m| m.name == registry.default_name()) =>
        {
            Err(RegistryError::NoShadow {
                name: name.to_string(),
                available: registry.names().join(", "),
                default: registry.default_name().to_string(),
            })
        }
        _ => Ok(()),
    }
}
