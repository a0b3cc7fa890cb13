//! Why a raw value cannot be encoded, and the user-facing error it becomes
//! once the file, column and row are known.

use std::path::Path;

use crate::error::Error;

/// Why a raw value cannot be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    /// Text where a number was expected.
    #[error("expected a number, found {}", crate::io::values::quoted(.0))]
    NotANumber(String),
    /// NaN or an infinity.
    #[error("expected a finite number, found {0}")]
    NonFinite(String),
    /// Not a yes/no value.
    #[error("expected yes/no, true/false or 1/0, found {}", crate::io::values::quoted(.0))]
    NotBoolean(String),
    /// Outside the transform's domain (log1p needs values above -1).
    #[error("{0} is outside the domain of log1p (values must be above -1)")]
    OutOfDomain(f64),
    /// The model marks the feature required and the value is missing.
    #[error("the model requires a value and none was given")]
    Required,
}

impl EncodeError {
    /// The user-facing error for this value at 1-based data `row` of `column`
    /// in `path` (the batch scorer, training and the reason codes share it).
    pub fn at(self, path: &Path, column: &str, row: usize) -> Error {
        let path = path.to_path_buf();
        let column = column.to_string();
        match self {
            EncodeError::NotANumber(value) => Error::NonNumeric {
                path,
                column,
                row,
                value: crate::io::values::shortened(&value),
            },
            EncodeError::NonFinite(value) => Error::NonFinite {
                path,
                column,
                row,
                value,
            },
            EncodeError::NotBoolean(value) => Error::NotBoolean {
                path,
                column,
                row,
                value: crate::io::values::shortened(&value),
            },
            EncodeError::Required => Error::MissingRequired { path, column, row },
            EncodeError::OutOfDomain(value) => Error::OutOfDomain {
                path,
                column,
                row,
                value,
            },
        }
    }
}
