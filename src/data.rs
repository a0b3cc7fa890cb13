//! Reading lead tables with polars: CSV (any separator, sniffed) and Parquet,
//! whole or in bounded batches, plus typed column access whose errors name the
//! file, the column and the row.
//!
//! CSV columns are read as text and converted here, so that training, batch
//! scoring and the service parse a value the same way and every bad cell can be
//! reported with its row.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use polars::prelude::*;

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
    fn empty_frame(&self) -> Result<DataFrame> {
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

fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| Error::reading(path, source))
}

fn parquet_error(path: &Path, e: PolarsError) -> Error {
    Error::MalformedParquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn strip_bom(mut header: Vec<u8>) -> Vec<u8> {
    if header.starts_with(&[0xEF, 0xBB, 0xBF]) {
        header.drain(..3);
    }
    header
}

/// Read one CSV record (which may span lines inside quotes), including its
/// line ending. Returns an empty vector at end of file.
fn read_record<R: BufRead>(reader: &mut R) -> std::io::Result<Vec<u8>> {
    let mut record = Vec::new();
    let mut quotes = 0usize;
    loop {
        let start = record.len();
        let n = reader.read_until(b'\n', &mut record)?;
        if n == 0 {
            return Ok(record);
        }
        quotes += record[start..].iter().filter(|b| **b == b'"').count();
        if quotes % 2 == 0 {
            return Ok(record);
        }
    }
}

/// Pick the separator that splits the header into the most fields
/// (outside quotes) among `,` `;` tab and `|`.
pub fn sniff_separator(header: &[u8]) -> u8 {
    let candidates = [b',', b';', b'\t', b'|'];
    let mut best = (b',', 0usize);
    for sep in candidates {
        let n = count_fields(header, sep);
        if n > best.1 {
            best = (sep, n);
        }
    }
    best.0
}

/// Number of fields in one CSV record for a separator, honouring quotes.
fn count_fields(record: &[u8], separator: u8) -> usize {
    let mut in_quotes = false;
    let mut fields = 1;
    for &b in record {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == separator && !in_quotes {
            fields += 1;
        }
    }
    fields
}

fn parse_csv_chunk(
    path: &Path,
    header: &[u8],
    body: &[u8],
    separator: u8,
    n_fields: usize,
    rows_before: usize,
) -> Result<DataFrame> {
    let mut bytes = Vec::with_capacity(header.len() + body.len() + 1);
    bytes.extend_from_slice(header);
    if !header.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(body);
    let options = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| p.with_separator(separator));
    let parsed = options
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish();
    match parsed {
        Ok(df) => {
            check_unique_names(path, &df)?;
            Ok(df)
        }
        Err(e) => Err(Error::MalformedCsv {
            path: path.to_path_buf(),
            row: locate_ragged_row(body, separator, n_fields).map(|r| r + rows_before),
            message: format!(
                "{} (expected {n_fields} fields separated by '{}'; pass --separator if that is wrong)",
                first_line(&e.to_string()),
                separator as char
            ),
        }),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The 1-based row (within `body`) of the first record whose field count
/// differs from the header's.
fn locate_ragged_row(body: &[u8], separator: u8, n_fields: usize) -> Option<usize> {
    let mut reader = Cursor::new(body);
    let mut row = 0;
    loop {
        let record = read_record(&mut reader).ok()?;
        if record.is_empty() {
            return None;
        }
        row += 1;
        let trimmed: &[u8] = trim_eol(&record);
        if count_fields(trimmed, separator) != n_fields {
            return Some(row);
        }
    }
}

fn trim_eol(record: &[u8]) -> &[u8] {
    let mut end = record.len();
    while end > 0 && (record[end - 1] == b'\n' || record[end - 1] == b'\r') {
        end -= 1;
    }
    &record[..end]
}

fn check_unique_names(path: &Path, df: &DataFrame) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for name in df.get_column_names() {
        if !seen.insert(name.as_str()) {
            return Err(Error::DuplicateColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
            });
        }
    }
    Ok(())
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

/// Where a column's values come from, for error messages: the file and the
/// number of data rows before the first value.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The file the values were read from.
    pub path: &'a Path,
    /// Data rows before this batch (0 for a whole file).
    pub rows_before: usize,
}

impl Origin<'_> {
    /// The 1-based data row of the value at `index` in the batch.
    pub fn row(&self, index: usize) -> usize {
        self.rows_before + index + 1
    }
}

/// Words accepted as booleans (case-insensitive), and their values.
pub fn parse_bool_word(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "1" => Some(true),
        "no" | "n" | "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// Parse numeric text: trimmed, empty is missing. Non-finite values are an error
/// of their own so the caller can report them precisely.
pub fn parse_number(text: &str) -> NumberParse {
    let t = text.trim();
    if t.is_empty() {
        return NumberParse::Missing;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => NumberParse::Value(v),
        Ok(_) => NumberParse::NonFinite,
        Err(_) => NumberParse::NotANumber,
    }
}

/// The result of [`parse_number`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberParse {
    /// A finite number.
    Value(f64),
    /// Empty text.
    Missing,
    /// NaN or an infinity.
    NonFinite,
    /// Not a number at all.
    NotANumber,
}

/// A column's values as optional finite numbers, with errors naming the row.
pub fn numeric_values(column: &Column, name: &str, origin: Origin<'_>) -> Result<Vec<Option<f64>>> {
    let series = column.as_materialized_series();
    if series.dtype().is_primitive_numeric() || series.dtype() == &DataType::Boolean {
        let cast = series.cast(&DataType::Float64)?;
        let values = cast.f64()?;
        let mut out = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(x) if !x.is_finite() => {
                    return Err(Error::NonFinite {
                        path: origin.path.to_path_buf(),
                        column: name.to_string(),
                        row: origin.row(i),
                        value: x.to_string(),
                    })
                }
                other => out.push(other),
            }
        }
        return Ok(out);
    }
    let text = series.cast(&DataType::String)?;
    let text = text.str()?;
    let mut out = Vec::with_capacity(text.len());
    for (i, v) in text.iter().enumerate() {
        let value = match v {
            None => None,
            Some(s) => match parse_number(s) {
                NumberParse::Value(x) => Some(x),
                NumberParse::Missing => None,
                NumberParse::NonFinite => {
                    return Err(Error::NonFinite {
                        path: origin.path.to_path_buf(),
                        column: name.to_string(),
                        row: origin.row(i),
                        value: s.trim().to_string(),
                    })
                }
                NumberParse::NotANumber => {
                    return Err(Error::NonNumeric {
                        path: origin.path.to_path_buf(),
                        column: name.to_string(),
                        row: origin.row(i),
                        value: s.to_string(),
                    })
                }
            },
        };
        out.push(value);
    }
    Ok(out)
}

/// A column's values as optional booleans (yes/no, true/false, 1/0 ...).
pub fn boolean_values(
    column: &Column,
    name: &str,
    origin: Origin<'_>,
) -> Result<Vec<Option<bool>>> {
    let series = column.as_materialized_series();
    if series.dtype() == &DataType::Boolean {
        return Ok(series.bool()?.iter().collect());
    }
    let text = series.cast(&DataType::String)?;
    let text = text.str()?;
    let mut out = Vec::with_capacity(text.len());
    for (i, v) in text.iter().enumerate() {
        let value = match v {
            None => None,
            Some(s) if s.trim().is_empty() => None,
            Some(s) => match parse_bool_word(s) {
                Some(b) => Some(b),
                None => {
                    return Err(Error::NotBoolean {
                        path: origin.path.to_path_buf(),
                        column: name.to_string(),
                        row: origin.row(i),
                        value: s.to_string(),
                    })
                }
            },
        };
        out.push(value);
    }
    Ok(out)
}

/// A column's values as optional text (numbers are formatted by polars).
/// Empty strings count as missing.
pub fn text_values(column: &Column) -> Result<StringChunked> {
    let series = column.as_materialized_series();
    let text = series.cast(&DataType::String)?;
    Ok(text.str()?.clone())
}

/// Normalise one text cell: trimmed, and `None` when empty.
pub fn clean_text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}
