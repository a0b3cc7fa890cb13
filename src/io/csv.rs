//! CSV records: reading one record (quotes may span lines), sniffing the
//! separator, parsing a chunk with polars (every column as text), and locating
//! the row a parse error comes from.

use std::io::{BufRead, Cursor};
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

pub(super) fn strip_bom(mut header: Vec<u8>) -> Vec<u8> {
    if header.starts_with(&[0xEF, 0xBB, 0xBF]) {
        header.drain(..3);
    }
    header
}

/// Read one CSV record (which may span lines inside quotes), including its
/// line ending. Returns an empty vector at end of file.
pub(super) fn read_record<R: BufRead>(reader: &mut R) -> std::io::Result<Vec<u8>> {
    let mut record = Vec::new();
    read_record_into(reader, &mut record, b',')?;
    Ok(record)
}

/// Append one CSV record (which may span lines inside quotes) to `out`,
/// including its line ending, and return the number of its fields for
/// `separator` (0 at end of file), in the same pass over the bytes.
pub(super) fn read_record_into<R: BufRead>(
    reader: &mut R,
    out: &mut Vec<u8>,
    separator: u8,
) -> std::io::Result<usize> {
    let mut in_quotes = false;
    let mut fields = 1;
    let begin = out.len();
    loop {
        let start = out.len();
        let n = reader.read_until(b'\n', out)?;
        if n == 0 {
            return Ok(if out.len() == begin { 0 } else { fields });
        }
        let line = &out[start..];
        if !in_quotes && !line.contains(&b'"') {
            // The common line: no quotes, so every separator counts (a vectorised count).
            fields += line.iter().filter(|b| **b == separator).count();
        } else {
            for &b in line {
                if b == b'"' {
                    in_quotes = !in_quotes;
                } else if b == separator && !in_quotes {
                    fields += 1;
                }
            }
        }
        if !in_quotes {
            return Ok(fields);
        }
    }
}

/// The header's column names, unquoted and trimmed.
pub(super) fn header_names(header: &[u8], separator: u8) -> Vec<String> {
    let line = String::from_utf8_lossy(trim_eol(header));
    let mut names = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            c if c as u32 == u32::from(separator) && !in_quotes => {
                names.push(current.trim().to_string());
                current.clear();
            }
            c => current.push(c),
        }
    }
    names.push(current.trim().to_string());
    names
}

/// A header naming a column twice is an error naming both positions (1-based).
pub(super) fn check_unique_header(path: &Path, names: &[String]) -> Result<()> {
    let mut seen = std::collections::HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(name.as_str(), i) {
            return Err(Error::DuplicateColumn {
                path: path.to_path_buf(),
                column: name.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// The error for a batch body that is not UTF-8: the first record that is
/// not, by its data row (`body` holds one record per row, blank lines dropped).
pub(super) fn first_bad_utf8_row(path: &Path, body: &[u8], rows_before: usize) -> Error {
    let mut reader = Cursor::new(body);
    let mut row = rows_before;
    loop {
        let record = match read_record(&mut reader) {
            Ok(record) if !record.is_empty() => record,
            Ok(_) | Err(_) => break,
        };
        row += 1;
        if let Err(error) = check_utf8(path, &record, row) {
            return error;
        }
    }
    super::encoding::not_utf8(
        path,
        row,
        body,
        std::str::from_utf8(body)
            .err()
            .map_or(0, |e| e.valid_up_to()),
    )
}

/// Check that a record is UTF-8; the error names its row (0: the header).
pub(super) fn check_utf8(path: &Path, record: &[u8], row: usize) -> Result<()> {
    match std::str::from_utf8(record) {
        Ok(_) => Ok(()),
        Err(e) => Err(super::encoding::not_utf8(
            path,
            row,
            record,
            e.valid_up_to(),
        )),
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
pub(super) fn count_fields(record: &[u8], separator: u8) -> usize {
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

pub(super) fn parse_csv_chunk(
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
        Ok(df) => Ok(df),
        Err(e) => Err(Error::MalformedCsv {
            path: path.to_path_buf(),
            row: locate_ragged_row(body, separator, n_fields).map(|r| r + rows_before),
            message: format!(
                "{} (expected {n_fields} fields separated by '{}'; set the separator if that is wrong)",
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

pub(super) fn trim_eol(record: &[u8]) -> &[u8] {
    let mut end = record.len();
    while end > 0 && (record[end - 1] == b'\n' || record[end - 1] == b'\r') {
        end -= 1;
    }
    &record[..end]
}
