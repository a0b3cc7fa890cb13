//! A table read in bounded batches (CSV or Parquet), so that files far larger
//! than memory can be scored; row numbers in errors count from the file's start.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::csv::{count_fields, parse_csv_chunk, read_record, sniff_separator, strip_bom};
use super::{open_file, FileFormat, ReadOptions};
use crate::error::{Error, Result};

/// A table read in batches of at most `batch_rows` rows, so that files far
/// larger than memory can be scored. Each item is `(rows before this batch, batch)`.
pub struct TableBatches {
    path: PathBuf,
    batch_rows: usize,
    rows_done: usize,
    source: BatchSource,
    failed: bool,
}

enum BatchSource {
    Csv {
        reader: BufReader<File>,
        header: Vec<u8>,
        separator: u8,
        n_fields: usize,
        finished: bool,
    },
    Parquet {
        total_rows: usize,
    },
}

impl TableBatches {
    /// Open a CSV or Parquet file for batched reading.
    pub fn open(path: &Path, options: &ReadOptions, batch_rows: usize) -> Result<Self> {
        let file = open_file(path)?;
        let source = match FileFormat::from_path(path) {
            FileFormat::Parquet => {
                let total_rows = ParquetReader::new(file)
                    .num_rows()
                    .map_err(|e| parquet_error(path, e))?;
                BatchSource::Parquet { total_rows }
            }
            FileFormat::Csv => {
                let mut reader = BufReader::with_capacity(1 << 20, file);
                let header = read_record(&mut reader).map_err(|source| Error::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                let header = strip_bom(header);
                if header.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(Error::EmptyFile {
                        path: path.to_path_buf(),
                    });
                }
                let separator = options
                    .separator
                    .unwrap_or_else(|| sniff_separator(&header));
                let n_fields = count_fields(&header, separator);
                BatchSource::Csv {
                    reader,
                    header,
                    separator,
                    n_fields,
                    finished: false,
                }
            }
        };
        Ok(TableBatches {
            path: path.to_path_buf(),
            batch_rows: batch_rows.max(1),
            rows_done: 0,
            source,
            failed: false,
        })
    }

    /// The separator in use (CSV only).
    pub fn separator(&self) -> Option<u8> {
        match &self.source {
            BatchSource::Csv { separator, .. } => Some(*separator),
            BatchSource::Parquet { .. } => None,
        }
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A zero-row frame with the file's columns (used when a file has a header only).
    pub(super) fn empty_frame(&self) -> Result<DataFrame> {
        match &self.source {
            BatchSource::Csv {
                header, separator, ..
            } => parse_csv_chunk(&self.path, header, &[], *separator, 0, 0),
            BatchSource::Parquet { .. } => {
                let file = open_file(&self.path)?;
                ParquetReader::new(file)
                    .with_slice(Some((0, 0)))
                    .finish()
                    .map_err(|e| parquet_error(&self.path, e))
            }
        }
    }

    fn next_batch(&mut self) -> Result<Option<DataFrame>> {
        let rows_done = self.rows_done;
        let batch_rows = self.batch_rows;
        match &mut self.source {
            BatchSource::Parquet { total_rows } => {
                if rows_done >= *total_rows {
                    return Ok(None);
                }
                let file = open_file(&self.path)?;
                let df = ParquetReader::new(file)
                    .with_slice(Some((rows_done, batch_rows)))
                    .finish()
                    .map_err(|e| parquet_error(&self.path, e))?;
                Ok(Some(df))
            }
            BatchSource::Csv {
                reader,
                header,
                separator,
                n_fields,
                finished,
            } => {
                if *finished {
                    return Ok(None);
                }
                let mut body = Vec::new();
                let mut records = 0;
                while records < batch_rows {
                    let record = read_record(reader).map_err(|source| Error::Io {
                        path: self.path.clone(),
                        source,
                    })?;
                    if record.is_empty() {
                        *finished = true;
                        break;
                    }
                    if record.iter().all(|b| *b == b'\n' || *b == b'\r') {
                        continue;
                    }
                    body.extend_from_slice(&record);
                    if !record.ends_with(b"\n") {
                        body.push(b'\n');
                    }
                    records += 1;
                }
                if records == 0 {
                    return Ok(None);
                }
                let df =
                    parse_csv_chunk(&self.path, header, &body, *separator, *n_fields, rows_done)?;
                Ok(Some(df))
            }
        }
    }
}

impl Iterator for TableBatches {
    type Item = Result<(usize, DataFrame)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_batch() {
            Ok(Some(df)) => {
                let offset = self.rows_done;
                self.rows_done += df.height();
                if df.height() == 0 {
                    return None;
                }
                Some(Ok((offset, df)))
            }
            Ok(None) => None,
            Err(e) => {
                // Stop after the first error.
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

pub(super) fn parquet_error(path: &Path, e: PolarsError) -> Error {
    Error::MalformedParquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
