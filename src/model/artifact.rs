//! The versioned model file: written atomically (temp file + rename in the
//! same directory, so a crash never leaves a half-written model) and checked
//! on load (format version, consistency).

use std::path::Path;

use crate::io::write::write_atomically;

use crate::error::{Error, Result};
use crate::model::{Model, FORMAT_VERSION};

/// Write `model` as pretty JSON to `path`, atomically. Creates the directory.
pub fn save(model: &Model, path: &Path) -> Result<()> {
    let json = serde_json::to_vec_pretty(model).map_err(|e| Error::CorruptModel {
        path: path.to_path_buf(),
        message: format!("could not serialise: {e}"),
    })?;
    write_atomically(path, &json)
}

/// Load and check a model file.
pub fn load(path: &Path) -> Result<Model> {
    let bytes = std::fs::read(path).map_err(|source| Error::reading(path, source))?;
    from_slice(&bytes, path)
}

/// Load and check a model file, with the hex SHA-256 of its bytes: a version
/// that changes whenever the file does (the service reports it with every score).
pub fn load_with_digest(path: &Path) -> Result<(Model, String)> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|source| Error::reading(path, source))?;
    let model = from_slice(&bytes, path)?;
    Ok((model, format!("{:x}", Sha256::digest(&bytes))))
}

/// Parse and check model JSON (`path` is only used in error messages).
pub fn from_slice(bytes: &[u8], path: &Path) -> Result<Model> {
    let corrupt = |message: String| Error::CorruptModel {
        path: path.to_path_buf(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| corrupt(format!("not JSON: {e}")))?;
    let version = value
        .get("format_version")
        .ok_or_else(|| corrupt("no format_version field".into()))?
        .as_u64()
        .ok_or_else(|| corrupt("format_version is not a whole number".into()))?;
    let version = u32::try_from(version).unwrap_or(u32::MAX);
    if version > FORMAT_VERSION {
        return Err(Error::FutureModelFormat {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt("format_version 0 does not exist".into()));
    }
    // Versions 1 to 4 share one layout: each later version only adds optional fields.
    let model: Model = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    model
        .validate()
        .map_err(|problem| Error::InconsistentModel {
            path: path.to_path_buf(),
            problem,
        })?;
    Ok(model)
}
