//! A table read in bounded batches (CSV or Parquet), so that files far larger
//! than memory can be scored; row numbers in errors count from the file's start.

use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::csv::{
    check_unique_header, check_utf8, count_fields, first_bad_utf8_row, header_names,
    parse_csv_chunk, read_record, read_record_into, sniff_separator, strip_bom, trim_eol,
};
use super::encoding::{decode_to_utf8, sniff_encoding, Content};
use super::values::{MarkEvidence, NumberFormat};
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
    /// The decimal mark: given, or sniffed from the first batch.
    decimal: Option<NumberFormat>,
}

enum BatchSource {
    Csv {
        reader: Box<dyn BufRead + Send>,
        header: Vec<u8>,
        separator: u8,
        n_fields: usize,
        finished: bool,
    },
    Parquet {
        total_rows: usize,
    },
    /// A table read whole (an Excel sheet), handed out in batches.
    Frame {
        frame: DataFrame,
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
            FileFormat::Excel => BatchSource::Frame {
                frame: super::excel::read_sheet(path, options.sheet.as_deref())?,
            },
            FileFormat::Csv => {
                let mut reader = BufReader::with_capacity(1 << 20, file);
                let head = reader.fill_buf().map_err(|e| Error::reading(path, e))?;
                if let Some(error) = Content::sniff(head).misnamed(path) {
                    return Err(error);
                }
                let mut reader: Box<dyn BufRead + Send> =
                    match options.encoding.or_else(|| sniff_encoding(head)) {
                        Some(encoding) => {
                            let mut bytes = Vec::new();
                            reader
                                .read_to_end(&mut bytes)
                                .map_err(|e| Error::reading(path, e))?;
                            match decode_to_utf8(&bytes, encoding) {
                                Some(decoded) => Box::new(Cursor::new(decoded)),
                                None => Box::new(Cursor::new(bytes)),
                            }
                        }
                        None => Box::new(reader),
                    };
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
                check_utf8(path, &header, 0)?;
                let separator = options
                    .separator
                    .unwrap_or_else(|| sniff_separator(&header));
                let n_fields = count_fields(trim_eol(&header), separator);
                check_unique_header(path, &header_names(&header, separator))?;
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
            decimal: options.decimal,
        })
    }

    /// The decimal mark in use: as given, else sniffed from the first batch
    /// (`None` before it is read, or when it showed no evidence: a decimal point).
    pub fn number_format(&self) -> Option<NumberFormat> {
        self.decimal
    }

    /// The separator in use (CSV only).
    pub fn separator(&self) -> Option<u8> {
        match &self.source {
            BatchSource::Csv { separator, .. } => Some(*separator),
            BatchSource::Parquet { .. } | BatchSource::Frame { .. } => None,
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
            BatchSource::Frame { frame } => Ok(frame.slice(0, 0)),
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
            BatchSource::Frame { frame } => {
                if rows_done >= frame.height() {
                    return Ok(None);
                }
                Ok(Some(frame.slice(rows_done as i64, batch_rows)))
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
                    let start = body.len();
                    let fields =
                        read_record_into(reader, &mut body, *separator).map_err(|source| {
                            Error::Io {
                                path: self.path.clone(),
                                source,
                            }
                        })?;
                    if fields == 0 {
                        *finished = true;
                        break;
                    }
                    let record = &body[start..];
                    if record.iter().all(|b| *b == b'\n' || *b == b'\r') {
                        body.truncate(start);
                        continue;
                    }
                    let row = rows_done + records + 1;
                    if fields != *n_fields {
                        return Err(Error::RaggedRow {
                            path: self.path.clone(),
                            row,
                            expected: *n_fields,
                            found: fields,
                            separator: *separator as char,
                        });
                    }
                    if !record.ends_with(b"\n") {
                        body.push(b'\n');
                    }
                    records += 1;
                }
                if records == 0 {
                    return Ok(None);
                }
                if std::str::from_utf8(&body).is_err() {
                    // Validated once per batch; the row is found only when it fails.
                    return Err(first_bad_utf8_row(&self.path, &body, rows_done));
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
        match self
            .next_batch()
            .and_then(|df| df.map(|df| self.numbers(df)).transpose())
        {
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

impl TableBatches {
    /// Rewrite decimal-comma numbers as canonical text, sniffing the decimal
    /// mark from the first batch when it was not given.
    fn numbers(&mut self, df: DataFrame) -> Result<DataFrame> {
        let format = match self.decimal {
            Some(format) => format,
            None => {
                let format = sniff_frame(&df, &self.path, self.rows_done, self.separator())?;
                self.decimal = Some(format);
                format
            }
        };
        if format == NumberFormat::DecimalPoint {
            return Ok(df);
        }
        let mut columns = Vec::with_capacity(df.width());
        for column in df.columns() {
            if column.dtype() != &DataType::String {
                columns.push(column.clone());
                continue;
            }
            let text = column.str()?;
            let rewritten: StringChunked = text
                .iter()
                .map(|v| v.map(|s| format.canonical(s).unwrap_or_else(|| s.to_string())))
                .collect();
            columns.push(rewritten.with_name(column.name().clone()).into_column());
        }
        Ok(DataFrame::new(df.height(), columns)?)
    }
}

/// The decimal mark the text columns of a batch show: a comma when some
/// cells need one and none needs a point, else a point. Cells like `1.234`
/// that read as different numbers under the two marks, with nothing else to
/// decide by, are an error naming the cell (guessing would be silently
/// wrong), except in a comma-separated file, where decimal commas would need
/// every number quoted: there `"1,234"` is a thousands separator.
fn sniff_frame(
    df: &DataFrame,
    path: &Path,
    rows_before: usize,
    separator: Option<u8>,
) -> Result<NumberFormat> {
    let (mut comma, mut point) = (0usize, 0usize);
    let mut ambiguous = None;
    for column in df.columns() {
        if column.dtype() != &DataType::String {
            continue;
        }
        for (i, cell) in column.str()?.iter().enumerate().take(5_000) {
            match cell.map(NumberFormat::evidence) {
                Some(MarkEvidence::Only(NumberFormat::DecimalComma)) => comma += 1,
                Some(MarkEvidence::Only(NumberFormat::DecimalPoint)) => point += 1,
                Some(MarkEvidence::Ambiguous) if ambiguous.is_none() => {
                    ambiguous = Some((column.name().to_string(), i, cell.unwrap_or_default()))
                }
                _ => {}
            }
        }
    }
    match (comma, point, ambiguous) {
        (c, 0, _) if c > 0 => Ok(NumberFormat::DecimalComma),
        (0, 0, Some((column, i, value))) if separator.is_some_and(|s| s != b',') => {
            Err(Error::AmbiguousDecimal {
                path: path.to_path_buf(),
                column,
                row: rows_before + i + 1,
                value: value.to_string(),
            })
        }
        _ => Ok(NumberFormat::DecimalPoint),
    }
}

pub(super) fn parquet_error(path: &Path, e: PolarsError) -> Error {
    Error::MalformedParquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
