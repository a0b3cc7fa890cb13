//! Bearer-token checks for tower-http's `ValidateRequestHeaderLayer`, compared
//! in constant time (SHA-256 of both sides, then `subtle`'s `ct_eq`, so
//! neither the content nor the length of the token leaks through timing).

use axum::body::Body;
use axum::http::{header, Request, Response};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tower_http::validate_request::ValidateRequest;

use super::config::Token;
use super::error::ApiError;

/// Accepts requests with `Authorization: Bearer <token>`; answers anything
/// else with a bare 401 in the service's error shape.
#[derive(Clone)]
pub struct BearerToken {
    digest: [u8; 32],
}

impl BearerToken {
    /// A check for `token`.
    pub fn new(token: &Token) -> BearerToken {
        BearerToken {
            digest: Sha256::digest(token.expose().as_bytes()).into(),
        }
    }

    /// Whether an `Authorization` header value carries the token.
    pub fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let presented = match value.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => &value[7..],
            _ => return false,
        };
        let digest: [u8; 32] = Sha256::digest(presented).into();
        digest.ct_eq(&self.digest).into()
    }
}

impl<B> ValidateRequest<B> for BearerToken {
    type ResponseBody = Body;

    fn validate(&mut self, request: &mut Request<B>) -> Result<(), Response<Body>> {
        let header = request.headers().get(header::AUTHORIZATION);
        if self.accepts(header.map(|v| v.as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::Unauthorized.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_is_accepted() {
        let check = BearerToken::new(&Token::new("s3cret").expect("token"));
        assert!(check.accepts(Some(b"Bearer s3cret")));
        assert!(check.accepts(Some(b"bearer s3cret")));
        assert!(!check.accepts(Some(b"Bearer s3cre")));
        assert!(!check.accepts(Some(b"Bearer s3cret ")));
        assert!(!check.accepts(Some(b"Basic s3cret")));
        assert!(!check.accepts(Some(b"s3cret")));
        assert!(!check.accepts(None));
    }
}
