//! Atomic writes: every file leadscore writes (models, scores, reports, sheets)
//! goes to a temporary file beside its destination and is renamed into place,
//! so a failure never leaves a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::FileFormat;
use crate::error::{Error, Result};

/// Write bytes to `path` via a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = temp_file_beside(path)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A temporary file in the directory of `path` (created if needed), to be
/// renamed onto `path` when complete. Its permissions follow the umask like
/// any new file (tempfile's default of 0600 would surprise users).
pub fn temp_file_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".leadscore-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(&dir).map_err(io)
}

/// The directory a file lives in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Write a frame as CSV (comma-separated, header) or Parquet by extension,
/// atomically.
pub fn write_table(df: &mut DataFrame, path: &Path) -> Result<()> {
    let mut bytes = Vec::new();
    match FileFormat::from_path(path) {
        FileFormat::Csv => CsvWriter::new(&mut bytes).include_header(true).finish(df)?,
        FileFormat::Parquet => {
            ParquetWriter::new(&mut bytes).finish(df)?;
        }
    }
    write_atomically(path, &bytes)
}
