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
pub mod encoding;
mod excel;
pub mod postgres;
pub mod values;
pub mod write;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

pub use batches::TableBatches;
pub use csv::sniff_separator;

use crate::error::{Error, Result};
pub use encoding::TextEncoding;
pub use values::NumberFormat;

/// Rows per batch when a file is streamed (scoring) or parsed in pieces.
pub const DEFAULT_BATCH_ROWS: usize = 200_000;

/// File formats leadscore reads and writes, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma/semicolon/tab/pipe separated text (`.csv`, `.tsv`, `.txt`, anything else).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// An Excel or OpenDocument workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`); read only.
    Excel,
}

/// Extensions written as CSV text.
const CSV_EXTENSIONS: [&str; 3] = ["csv", "tsv", "txt"];

impl FileFormat {
    /// The format implied by a path's extension when reading; unknown
    /// extensions are read as CSV (after checking the first bytes are not
    /// Parquet or a workbook).
    pub fn from_path(path: &Path) -> FileFormat {
        match extension(path).as_deref() {
            Some("parquet") | Some("pq") => FileFormat::Parquet,
            Some("xlsx") | Some("xlsm") | Some("xls") | Some("xlsb") | Some("ods") => {
                FileFormat::Excel
            }
            _ => FileFormat::Csv,
        }
    }

    /// The format to write a path in: `.csv`, `.tsv`, `.txt`, `.parquet` or
    /// `.pq`. Anything else is an error, so CSV text never lands in a file
    /// named `.xlsx`.
    pub fn for_output(path: &Path) -> Result<FileFormat> {
        match extension(path).as_deref() {
            Some("parquet") | Some("pq") => Ok(FileFormat::Parquet),
            Some(e) if CSV_EXTENSIONS.contains(&e) => Ok(FileFormat::Csv),
            other => Err(Error::UnknownOutputFormat {
                path: path.to_path_buf(),
                extension: other.unwrap_or("").to_string(),
            }),
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// How to read a table.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CSV separator; `None` sniffs it from the header line.
    pub separator: Option<u8>,
    /// Decimal mark of numbers in text cells; `None` sniffs it from the first rows.
    pub decimal: Option<NumberFormat>,
    /// Text encoding of a CSV file; `None`: UTF-8, or UTF-16 shown by a byte-order mark.
    pub encoding: Option<TextEncoding>,
    /// Excel sheet to read; `None`: the first.
    pub sheet: Option<String>,
}

impl ReadOptions {
    /// Options with this separator (`None`: sniff it), the rest by default.
    pub fn separator(separator: Option<u8>) -> Self {
        ReadOptions {
            separator,
            ..ReadOptions::default()
        }
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
