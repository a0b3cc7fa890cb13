//! The value grammar shared by schema inference, training, batch scoring and
//! the service: what counts as missing, a number, a yes/no word; and typed
//! access to a column's values with errors naming the file, column and row.

use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

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
