//! `leadscore-serve`: the scoring service. Parses flags, sets up logging and
//! signals (SIGTERM/Ctrl-C drain and stop, SIGHUP reloads the models), loads
//! the models and runs the library's router. Errors at startup become one
//! line and exit code 2.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use leadscore::log::{LogSettings, LogTarget};
use leadscore::server::{
    self, AppState, ConfigError, LifecycleSettings, ModelSource, ServerConfig, ServerSettings,
    Token,
};

/// Serve lead scores over HTTP: POST /v1/score, GET /v1/models, /metrics,
/// /openapi.json, and the Open Inference Protocol (KServe V2) under /v2.
/// mimalloc instead of glibc's malloc: the service allocates per request on
/// its runtime's threads and the prediction log frees those records on its
/// writer thread, the pattern glibc's arenas handle worst (profile in
/// benches/serve_load.sh's README section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "leadscore-serve", version, about, long_about = None,
    after_help = "Examples:
  # The bundled model on 127.0.0.1:8080 (run from the project folder)
  leadscore-serve

  # One model file, on all interfaces, with a token for callers
  LEADSCORE_API_TOKEN=change-me leadscore-serve --model models/default.json --addr 0.0.0.0:8080

  # Every model in a folder (addressed as ?model=NAME), reloadable by an admin
  LEADSCORE_ADMIN_TOKEN=secret leadscore-serve --models-dir models --default-model default
  curl -X POST -H 'Authorization: Bearer secret' localhost:8080/v1/admin/reload
  kill -HUP <pid>    # reloads too

  # Score a lead
  curl -s localhost:8080/v1/score -H 'Content-Type: application/json' \\
    -d '{\"industry\": \"software\", \"demo_requested\": true, \"website_visits\": 7}'

  # Keep a prediction log (SQLite file, or postgres://…?table=NAME)
  leadscore-serve --model models/default.json --log-db predictions.sqlite

  # A challenger in shadow mode: the default answers, both are logged
  leadscore-serve --models-dir models --shadow challenger --log-db predictions.sqlite")]
struct Args {
    /// Serve this one model file (named after its file stem, and the default).
    #[arg(long, value_name = "FILE", conflicts_with = "models_dir")]
    model: Option<PathBuf>,

    /// Serve every *.json model in this folder, each under its file stem.
    /// Without --model or --models-dir: the folder `models`.
    #[arg(long, value_name = "DIR")]
    models_dir: Option<PathBuf>,

    /// With --models-dir: the model used when a request names none.
    #[arg(long, value_name = "NAME", default_value = "default")]
    default_model: String,

    /// Address to listen on (port 0: any free port, printed at startup).
    #[arg(long, env = "LEADSCORE_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// Largest request body in bytes.
    #[arg(long, default_value_t = server::config::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,

    /// Most leads in one request.
    #[arg(long, default_value_t = server::config::DEFAULT_MAX_BATCH)]
    max_batch: usize,

    /// Longest a request may take (including waiting for a slot), in milliseconds.
    #[arg(long, default_value_t = server::config::DEFAULT_TIMEOUT.as_millis() as u64)]
    timeout_ms: u64,

    /// Requests handled at once; more wait for a slot within the timeout.
    #[arg(long, default_value_t = server::config::DEFAULT_MAX_CONCURRENCY)]
    max_concurrency: usize,

    /// Bearer token required on scoring and model endpoints (unset: open).
    #[arg(
        long,
        env = "LEADSCORE_API_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    api_token: Option<String>,

    /// Bearer token for POST /v1/admin/reload (unset: admin endpoints disabled).
    #[arg(
        long,
        env = "LEADSCORE_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    admin_token: Option<String>,

    /// Keep a prediction log of every scored lead: an SQLite file (created
    /// when absent) or postgres://user@host/db[?table=NAME] (default table
    /// leadscore_predictions). Writes happen off the request path; when the
    /// queue is full, leads are still answered and the drop is counted in
    /// /metrics.
    #[arg(long, env = "LEADSCORE_LOG_DB", value_name = "FILE|URL")]
    log_db: Option<String>,

    /// The lead field logged as the lead's id (default: the model's id
    /// column, when it was trained with one).
    #[arg(long, value_name = "FIELD", requires = "log_db")]
    log_id: Option<String>,

    /// Also log each lead's raw input fields (they may hold personal data).
    #[arg(long, requires = "log_db")]
    log_fields: bool,

    /// Scored leads the log's queue holds before dropping (and counting) more.
    #[arg(long, value_name = "N", default_value_t = leadscore::log::DEFAULT_CAPACITY)]
    log_queue: usize,

    /// A served model (from --models-dir) that also scores every lead the
    /// default model answers; its scores are logged, never returned.
    #[arg(long, value_name = "NAME")]
    shadow: Option<String>,

    /// Leads in the rolling PSI window /metrics reports per model.
    #[arg(long, value_name = "N", default_value_t = server::rolling::DEFAULT_WINDOW)]
    psi_window: usize,

    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Log filter, e.g. `info`, `debug`, `leadscore=debug,tower_http=info`
    /// (RUST_LOG overrides it).
    #[arg(long, default_value = "info")]
    log_level: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

fn init_logging(args: &Args) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&args.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match args.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn config(args: &Args) -> Result<ServerConfig> {
    let token = |value: &Option<String>, name: &str| -> Result<Option<Token>> {
        value
            .as_deref()
            .map(Token::new)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))
    };
    ServerSettings {
        max_body_bytes: args.max_body_bytes,
        max_batch: args.max_batch,
        timeout: Duration::from_millis(args.timeout_ms),
        max_concurrency: args.max_concurrency,
        api_token: token(&args.api_token, "LEADSCORE_API_TOKEN / --api-token")?,
        admin_token: token(&args.admin_token, "LEADSCORE_ADMIN_TOKEN / --admin-token")?,
    }
    .check()
    .map_err(|e| match e {
        ConfigError::ZeroLimit { setting: "timeout" } => anyhow::anyhow!("--timeout-ms: {e}"),
        ConfigError::ZeroLimit { setting } => {
            anyhow::anyhow!("--{}: {e}", setting.replace('_', "-"))
        }
        other => anyhow::anyhow!(other),
    })
}

fn source(args: &Args) -> ModelSource {
    match (&args.model, &args.models_dir) {
        (Some(file), _) => ModelSource::File(file.clone()),
        (None, dir) => ModelSource::Dir {
            dir: dir.clone().unwrap_or_else(|| PathBuf::from("models")),
            default: args.default_model.clone(),
        },
    }
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing requests in flight");
}

/// Reload the models on every SIGHUP.
#[cfg(unix)]
fn reload_on_sighup(state: AppState) -> Result<()> {
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("cannot listen for SIGHUP")?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match state.reload().await {
                Ok(models) => tracing::info!(?models, "models reloaded (SIGHUP)"),
                Err(e) => {
                    tracing::warn!(error = %e, "reload failed (SIGHUP); previous models keep serving")
                }
            }
        }
    });
    Ok(())
}

async fn run(args: Args) -> Result<()> {
    let config = config(&args)?;
    let source = source(&args);
    let lifecycle = LifecycleSettings {
        log: args.log_db.as_deref().map(|target| LogSettings {
            capacity: args.log_queue.max(1),
            ..LogSettings::new(LogTarget::parse(target))
        }),
        log_id: args.log_id.clone(),
        log_fields: args.log_fields,
        shadow: args.shadow.clone(),
        psi_window: args.psi_window,
    };
    let state = AppState::load_with(source.clone(), config, &lifecycle)
        .with_context(|| format!("cannot start with the models from {source}"))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    #[cfg(unix)]
    reload_on_sighup(state.clone())?;
    {
        let registry = state.models();
        for m in registry.models() {
            tracing::info!(model = %m.name, version = %m.version, path = %m.path.display(), "model loaded");
        }
        let c = state.config();
        tracing::info!(
            default = registry.default_name(),
            max_body_bytes = c.max_body_bytes(),
            max_batch = c.max_batch(),
            timeout_ms = c.timeout().as_millis() as u64,
            max_concurrency = c.max_concurrency(),
            api_token = c.api_token().is_some(),
            admin = c.admin_token().is_some(),
            log = state
                .lifecycle()
                .log()
                .map(|l| l.target().display())
                .unwrap_or_default(),
            shadow = state.lifecycle().shadow().unwrap_or_default(),
            "leadscore-serve listening on http://{addr}"
        );
    }
    server::serve(listener, state.clone(), shutdown_signal())
        .await
        .context("server failed")?;
    if let Some(log) = state.lifecycle().log() {
        log.close();
        let c = log.counters();
        tracing::info!(
            written = c.written.get(),
            dropped = c.dropped.get(),
            failed = c.failed.get(),
            "prediction log closed"
        );
    }
    tracing::info!("stopped");
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(&args);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
