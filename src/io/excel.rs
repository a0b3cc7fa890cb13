//! Excel workbooks (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) read with
//! calamine into the same all-text table a CSV gives, so every later stage
//! parses cells with the one value grammar.
//!
//! The first row of the sheet is the header. Numbers are written as Rust
//! formats them (shortest text that reads back to the same value), dates as
//! ISO 8601, booleans as `true`/`false`, error cells as Excel shows them
//! (`#N/A` then reads as missing; `#DIV/0!` is text a numeric column reports
//! with its row), empty cells as missing.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use polars::prelude::*;

use crate::error::{Error, Result};

/// Read one sheet (the first when `sheet` is `None`) as a table of text columns.
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<DataFrame> {
    let mut workbook = open_workbook_auto(path).map_err(|e| excel_error(path, e))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| Error::SheetNotFound {
                path: path.to_path_buf(),
                sheet: wanted.to_string(),
                available: names.clone(),
            })?,
        None => names.first().cloned().ok_or_else(|| Error::EmptyFile {
            path: path.to_path_buf(),
        })?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| excel_error(path, e))?;
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(Error::EmptyFile {
            path: path.to_path_buf(),
        });
    };
    let header: Vec<String> = header
        .iter()
        .map(|c| cell_text(c).unwrap_or_default())
        .collect();
    let width = header
        .iter()
        .rposition(|h| !h.trim().is_empty())
        .map(|i| i + 1)
        .ok_or_else(|| Error::EmptyFile {
            path: path.to_path_buf(),
        })?;
    super::csv::check_unique_header(path, &header[..width])?;
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(range.height()); width];
    for row in rows {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        for (j, column) in columns.iter_mut().enumerate() {
            column.push(row.get(j).and_then(cell_text));
        }
    }
    let height = columns.first().map_or(0, Vec::len);
    let columns: Vec<Column> = header[..width]
        .iter()
        .zip(columns)
        .enumerate()
        .map(|(j, (name, values))| {
            let name = if name.trim().is_empty() {
                format!("column_{}", j + 1)
            } else {
                name.trim().to_string()
            };
            Column::new(name.into(), values)
        })
        .collect();
    Ok(DataFrame::new(height, columns)?)
}

/// One cell as text; `None` for an empty cell.
fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(format!("{f}")),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
            Some(if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}")
            })
        }
        Data::DateTime(d) => Some(format!("{}", d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(e.to_string()),
    }
}

fn excel_error(path: &Path, e: calamine::Error) -> Error {
    Error::MalformedExcel {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
