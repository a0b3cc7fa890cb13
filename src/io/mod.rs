//! Tables in and out: reading lead tables with polars (CSV with any
//! separator, sniffed, or Parquet; whole or in bounded batches), the value
//! grammar every stage parses cells with, dates, and atomic writes.
//!
//! CSV columns are read as text and converted by [`values`], so that training,
//! batch scoring and the service parse a value the same way and every bad cell
//! can be reported with its row.

pub mod batches;
mod csv;
pub mod dates;
pub mod values;
pub mod write;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

pub use batches::TableBatches;
pub use csv::sniff_separator;

use crate::error::{Error, Result};

/// Rows per batch when a file is streamed (scoring) or parsed in pieces.
pub const DEFAULT_BATCH_ROWS: usize = 200_000;

/// File formats leadscore reads and writes, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma/semicolon/tab/pipe separated text (`.csv`, `.tsv`, `.txt`, anything else).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
}

impl FileFormat {
    /// The format implied by a path's extension; unknown extensions are read as CSV.
    pub fn from_path(path: &Path) -> FileFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("parquet") | Some("pq") => FileFormat::Parquet,
            _ => FileFormat::Csv,
        }
    }
}

/// How to read a table.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CSV separator; `None` sniffs it from the header line.
    pub separator: Option<u8>,
}

impl ReadOptions {
    /// Options with this separator (`None`: sniff it).
    pub fn separator(separator: Option<u8>) -> Self {
        ReadOptions { separator }
    }
}

/// Read a whole table into memory.
pub fn read_table(path: &Path, options: &ReadOptions) -> Result<DataFrame> {
    let mut batches = TableBatches::open(path, options, DEFAULT_BATCH_ROWS)?;
    let mut frame: Option<DataFrame> = None;
    for batch in &mut batches {
        let (_, df) = batch?;
        match frame.as_mut() {
            None => frame = Some(df),
            Some(f) => {
                f.vstack_mut_owned(df)?;
            }
        }
    }
    let frame = match frame {
        Some(f) => f,
        None => batches.empty_frame()?,
    };
    if frame.height() == 0 {
        return Err(Error::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    Ok(frame)
}

pub(crate) fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| Error::reading(path, source))
}

/// Hex SHA-256 of a file's bytes (recorded in the model's training card).
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = open_file(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}
