//! Errors the service answers with. Each variant knows its wire name and status.

/// An error returned to the client as `{"__type": ..., "message": ...}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    QuotaExceeded(String),
    #[error("{0}")]
    Throttling(String),
    #[error("{0}")]
    Internal(String),
    /// The body is not the JSON the operation expects (wrong types, not an object).
    #[error("{0}")]
    Serialization(String),
    #[error("{0}")]
    UnknownOperation(String),
    #[error("{0}")]
    MissingAuthentication(String),
    #[error("{0}")]
    IncompleteSignature(String),
    #[error("{0}")]
    UnrecognizedClient(String),
    #[error("{0}")]
    InvalidSignature(String),
    #[error("{0}")]
    PayloadTooLarge(String),
}

impl ApiError {
    /// The `__type` / `x-amzn-ErrorType` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "ValidationException",
            ApiError::AccessDenied(_) => "AccessDeniedException",
            ApiError::NotFound(_) => "ResourceNotFoundException",
            ApiError::Conflict(_) => "ConflictException",
            ApiError::QuotaExceeded(_) => "ServiceQuotaExceededException",
            ApiError::Throttling(_) => "ThrottlingException",
            ApiError::Internal(_) => "InternalServerException",
            ApiError::Serialization(_) => "SerializationException",
            ApiError::UnknownOperation(_) => "UnknownOperationException",
            ApiError::MissingAuthentication(_) => "MissingAuthenticationTokenException",
            ApiError::IncompleteSignature(_) => "IncompleteSignatureException",
            ApiError::UnrecognizedClient(_) => "UnrecognizedClientException",
            ApiError::InvalidSignature(_) => "InvalidSignatureException",
            ApiError::PayloadTooLarge(_) => "RequestEntityTooLargeException",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiError::Validation(_)
            | ApiError::Serialization(_)
            | ApiError::UnknownOperation(_)
            | ApiError::IncompleteSignature(_) => 400,
            ApiError::QuotaExceeded(_) => 402,
            ApiError::AccessDenied(_)
            | ApiError::MissingAuthentication(_)
            | ApiError::UnrecognizedClient(_)
            | ApiError::InvalidSignature(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::PayloadTooLarge(_) => 413,
            ApiError::Throttling(_) => 429,
            ApiError::Internal(_) => 500,
        }
    }

    pub fn message(&self) -> String {
        self.to_string()
    }

    pub fn not_found(kind: &str, name: &str) -> Self {
        ApiError::NotFound(format!("The {kind} {name} was not found."))
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        ApiError::Validation(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        ApiError::Conflict(msg.into())
    }

    pub fn idempotent_mismatch() -> Self {
        ApiError::Validation(
            "IdempotentParameterMismatch: the request reuses an idempotency key with different parameters"
                .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_follow_the_model() {
        assert_eq!(ApiError::Validation(String::new()).status(), 400);
        assert_eq!(ApiError::QuotaExceeded(String::new()).status(), 402);
        assert_eq!(ApiError::AccessDenied(String::new()).status(), 403);
        assert_eq!(ApiError::NotFound(String::new()).status(), 404);
        assert_eq!(ApiError::Conflict(String::new()).status(), 409);
        assert_eq!(ApiError::Throttling(String::new()).status(), 429);
        assert_eq!(ApiError::Internal(String::new()).status(), 500);
        assert_eq!(
            ApiError::UnrecognizedClient(String::new()).type_name(),
            "UnrecognizedClientException"
        );
    }
}
