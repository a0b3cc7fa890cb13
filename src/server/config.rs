//! The service's limits and credentials, checked once.

use std::time::Duration;

/// Default largest request body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Default most leads in one request.
pub const DEFAULT_MAX_BATCH: usize = 1000;
/// Default time a request may take, from the first byte to the response.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default requests handled at once; more wait (within the timeout).
pub const DEFAULT_MAX_CONCURRENCY: usize = 256;

/// A bearer token. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token; empty or whitespace-only tokens are refused (they would
    /// silently switch authentication on with a guessable secret).
    pub fn new(value: &str) -> Result<Token, String> {
        if value.trim().is_empty() {
            return Err("a token must not be empty".into());
        }
        Ok(Token(value.to_string()))
    }

    /// The secret.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Limits and credentials of the service.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Most leads in one request (`{"leads": [...]}` or one V2 infer call).
    pub max_batch: usize,
    /// Time a request may take, including waiting for a concurrency slot.
    pub timeout: Duration,
    /// Requests handled at once.
    pub max_concurrency: usize,
    /// Bearer token for the scoring and model endpoints (none: open).
    pub api_token: Option<Token>,
    /// Bearer token for the admin endpoints (none: admin endpoints disabled).
    pub admin_token: Option<Token>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch: DEFAULT_MAX_BATCH,
            timeout: DEFAULT_TIMEOUT,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            api_token: None,
            admin_token: None,
        }
    }
}

impl ServerConfig {
    /// Check the limits: every one must be at least 1.
    pub fn check(self) -> Result<ServerConfig, String> {
        if self.max_body_bytes == 0 {
            return Err("--max-body-bytes must be at least 1".into());
        }
        if self.max_batch == 0 {
            return Err("--max-batch must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return Err("--timeout-ms must be at least 1".into());
        }
        if self.max_concurrency == 0 {
            return Err("--max-concurrency must be at least 1".into());
        }
        Ok(self)
    }
}
