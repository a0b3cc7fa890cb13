//! The one error shape of the service. Every error — bad JSON, a field of the
//! wrong type, an unknown model, a timeout — is answered with
//! `{"error": "<message>", "code": "<code>", "status": <http status>, "details": [...]}`.
//! A top-level `error` string is also what the Open Inference Protocol (KServe V2)
//! expects, so V2 clients read our errors too. A 5xx says little and logs the cause.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do, in words.
    pub error: String,
    /// A stable machine-readable code, e.g. `invalid_field`, `unknown_model`.
    pub code: String,
    /// The HTTP status, repeated for clients that only keep the body.
    pub status: u16,
    /// One entry per offending field (for `invalid_field`), otherwise empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One offending value of a request.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// JSONPath of the value, e.g. `$.leads[3].company_size`.
    pub path: String,
    /// The JSON type expected there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was found there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    /// The problem in words.
    pub message: String,
}

/// Errors the service answers with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body is not declared as JSON.
    #[error("{0}; send the body with 'Content-Type: application/json'")]
    UnsupportedMediaType(String),
    /// The body is larger than the limit.
    #[error("the request body is larger than the limit of {limit} bytes; send fewer leads per request or raise --max-body-bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// More leads than the batch limit.
    #[error(
        "{count} leads in one request; the limit is {limit} (split the batch or raise --max-batch)"
    )]
    TooManyLeads {
        /// Leads sent.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Values of the wrong type, unparsable values, missing required fields,
    /// or a request of the wrong shape.
    #[error("{message}")]
    InvalidFields {
        /// Summary.
        message: String,
        /// One entry per problem.
        details: Vec<ErrorDetail>,
    },
    /// A query parameter is invalid.
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    /// No model of that name.
    #[error("no model named '{name}'; served models: {available}")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The names served.
        available: String,
    },
    /// No such route.
    #[error("no endpoint {0}; see /openapi.json for the API")]
    NotFound(String),
    /// The route exists, not with this method.
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The path.
        path: String,
    },
    /// Missing or wrong bearer token (no further detail by design).
    #[error("unauthorized")]
    Unauthorized,
    /// Admin endpoints are off because no admin token is configured.
    #[error("admin endpoints are disabled; start the server with LEADSCORE_ADMIN_TOKEN set to enable them")]
    AdminDisabled,
    /// A reload failed; the previous models keep serving.
    #[error("reload failed, still serving the previous models: {0}")]
    ReloadFailed(String),
    /// The request took longer than the timeout.
    #[error("the request did not finish within {0} ms; try again or send fewer leads")]
    Timeout(u128),
    /// Something failed inside the server (details are logged, not returned).
    #[error("internal error; the cause is in the server log")]
    Internal,
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BodyTooLarge { .. } | ApiError::TooManyLeads { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::InvalidFields { .. } | ApiError::ReloadFailed(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::UnknownModel { .. } | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::AdminDisabled => StatusCode::FORBIDDEN,
            ApiError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::TooManyLeads { .. } => "too_many_leads",
            ApiError::InvalidFields { .. } => "invalid_field",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::UnknownModel { .. } => "unknown_model",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Unauthorized => "unauthorized",
            ApiError::AdminDisabled => "admin_disabled",
            ApiError::ReloadFailed(_) => "reload_failed",
            ApiError::Timeout(_) => "timeout",
            ApiError::Internal => "internal",
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.to_string(),
            code: self.code().to_string(),
            status: self.status().as_u16(),
            details: match self {
                ApiError::InvalidFields { details, .. } => details.clone(),
                _ => Vec::new(),
            },
        }
    }

    /// A request-shape problem at one JSON path.
    pub fn shape(path: impl Into<String>, expected: &str, found: impl Into<String>) -> ApiError {
        let (path, found) = (path.into(), found.into());
        ApiError::InvalidFields {
            message: format!("{path}: expected {expected}, found {found}"),
            details: vec![ErrorDetail {
                message: format!("expected {expected}, found {found}"),
                path,
                expected: Some(expected.to_string()),
                found: Some(found),
            }],
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// JSONPath of a member of an object at `parent` (`$.leads[0]` + `industry`).
pub fn member_path(parent: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{parent}.{name}")
    } else {
        format!(
            "{parent}['{}']",
            name.replace('\\', "\\\\").replace('\'', "\\'")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_quote_names_that_are_not_identifiers() {
        assert_eq!(member_path("$", "company_size"), "$.company_size");
        assert_eq!(
            member_path("$.leads[2]", "job title"),
            "$.leads[2]['job title']"
        );
        assert_eq!(member_path("$", "it's"), "$['it\\'s']");
        assert_eq!(member_path("$", "3d"), "$['3d']");
    }
}
