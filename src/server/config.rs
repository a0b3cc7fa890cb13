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

/// Why the service's settings were refused; each names the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A limit is zero.
    #[error("{setting} must be at least 1")]
    ZeroLimit {
        /// The setting (`max_body_bytes`, `max_batch`, `timeout`, `max_concurrency`).
        setting: &'static str,
    },
    /// A token is empty or whitespace only.
    #[error("a token must not be empty")]
    EmptyToken,
}

/// A bearer token. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token; empty or whitespace-only tokens are refused (they would
    /// silently switch authentication on with a guessable secret).
    pub fn new(value: &str) -> Result<Token, ConfigError> {
        if value.trim().is_empty() {
            return Err(ConfigError::EmptyToken);
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

/// Limits and credentials of the service as given (flags, environment),
/// before checking.
#[derive(Debug, Clone)]
pub struct ServerSettings {
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

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch: DEFAULT_MAX_BATCH,
            timeout: DEFAULT_TIMEOUT,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            api_token: None,
            admin_token: None,
        }
    }
}

impl ServerSettings {
    /// Check the limits: every one must be at least 1.
    pub fn check(self) -> Result<ServerConfig, ConfigError> {
        for (setting, zero) in [
            ("max_body_bytes", self.max_body_bytes == 0),
            ("max_batch", self.max_batch == 0),
            ("timeout", self.timeout.is_zero()),
            ("max_concurrency", self.max_concurrency == 0),
        ] {
            if zero {
                return Err(ConfigError::ZeroLimit { setting });
            }
        }
        Ok(ServerConfig(self))
    }
}

/// Checked limits and credentials: every limit is at least 1. Made only by
/// [`ServerSettings::check`] (or [`Default`]).
#[derive(Debug, Clone, Default)]
pub struct ServerConfig(ServerSettings);

impl ServerConfig {
    /// Largest request body in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.0.max_body_bytes
    }
    /// Most leads in one request.
    pub fn max_batch(&self) -> usize {
        self.0.max_batch
    }
    /// Time a request may take.
    pub fn timeout(&self) -> Duration {
        self.0.timeout
    }
    /// Requests handled at once.
    pub fn max_concurrency(&self) -> usize {
        self.0.max_concurrency
    }
    /// Token for the scoring and model endpoints.
    pub fn api_token(&self) -> Option<&Token> {
        self.0.api_token.as_ref()
    }
    /// Token for the admin endpoints.
    pub fn admin_token(&self) -> Option<&Token> {
        self.0.admin_token.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_limits_and_empty_tokens_are_refused() {
        let zero = ServerSettings {
            max_concurrency: 0,
            ..ServerSettings::default()
        };
        assert_eq!(
            zero.check().expect_err("zero").to_string(),
            "max_concurrency must be at least 1"
        );
        assert_eq!(Token::new("  "), Err(ConfigError::EmptyToken));
        assert!(ServerSettings::default().check().is_ok());
    }
}
