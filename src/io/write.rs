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
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() || meta.permissions().readonly() {
            return Err(Error::OutputNotWritable {
                path: path.to_path_buf(),
                why: if meta.is_dir() {
                    "it is a directory"
                } else {
                    "it is read-only"
                },
            });
        }
    }
    remove_stale_temp_files(&dir);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".leadscore-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(&dir).map_err(io)
}

/// Temporary files of our own older than this are left-overs of a killed
/// process, never a write in progress (which renames its file within seconds).
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Remove `.leadscore-*.tmp` files older than ten minutes from `dir`: a
/// process killed mid-write leaves its temporary file behind. Best effort: a
/// file that cannot be removed is left alone.
pub fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_temp_name(name) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a file name is one of our temporary files.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(".leadscore-") && name.ends_with(".tmp")
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
    match FileFormat::for_output(path)? {
        FileFormat::Csv | FileFormat::Excel => {
            CsvWriter::new(&mut bytes).include_header(true).finish(df)?
        }
        FileFormat::Parquet => {
            ParquetWriter::new(&mut bytes).finish(df)?;
        }
    }
    write_atomically(path, &bytes)
}
