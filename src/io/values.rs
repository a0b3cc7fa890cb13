//! The value grammar shared by schema inference, training, batch scoring and
//! the service: what counts as missing, a number, a yes/no word; and typed
//! access to a column's values with errors naming the file, column and row.

use std::path::Path;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

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

/// Placeholders that exports write for "no value" (compared trimmed and
/// case-insensitively): spreadsheet and CRM conventions, and what pandas and
/// R write for missing numbers.
pub const MISSING_TOKENS: [&str; 17] = [
    "n/a", "na", "#n/a", "#na", "-", "--", "?", "null", "none", "(blank)", "nan", "-nan", "<na>",
    "nil", "n.a.", "(null)", "#null!",
];

/// Whether text, trimmed, is one of [`MISSING_TOKENS`].
pub fn is_missing_token(text: &str) -> bool {
    is_token(text.trim())
}

/// [`is_missing_token`] for text already trimmed (the hot path of every cell).
fn is_token(t: &str) -> bool {
    // Every token starts with one of these bytes: most cells are ruled out by one comparison.
    t.len() <= 7
        && matches!(
            t.as_bytes().first(),
            Some(b'n' | b'N' | b'#' | b'-' | b'?' | b'(' | b'<')
        )
        && MISSING_TOKENS.iter().any(|m| t.eq_ignore_ascii_case(m))
}

/// Words accepted as booleans (case-insensitive), and their values.
pub fn parse_bool_word(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "1" => Some(true),
        "no" | "n" | "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// Parse numeric text: trimmed; empty text and [`MISSING_TOKENS`] are missing;
/// `1,234` and `1,234,567.5` (comma thousands separators in groups of three)
/// are numbers. Non-finite values (`inf`, `1e400`) are an error of their own so
/// the caller can report them precisely. Decimal commas are converted when a
/// file is read (see [`NumberFormat`]).
pub fn parse_number(text: &str) -> NumberParse {
    let t = text.trim();
    if t.is_empty() || is_token(t) {
        return NumberParse::Missing;
    }
    let parsed = match t.parse::<f64>() {
        Ok(v) => Ok(v),
        Err(e) => match strip_grouping(t, b',', b'.') {
            Some(plain) => plain.parse::<f64>().map_err(|_| e),
            None => Err(e),
        },
    };
    match parsed {
        Ok(v) if v.is_finite() => NumberParse::Value(v),
        Ok(_) => NumberParse::NonFinite,
        Err(_) => NumberParse::NotANumber,
    }
}

/// How a file writes numbers: which character is the decimal mark. Thousands
/// separators are the other of `.` and `,` (and, with a decimal comma, spaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NumberFormat {
    /// `1234.5`, `1,234.5` (the default).
    #[default]
    #[serde(rename = ".")]
    DecimalPoint,
    /// `1234,5`, `1.234,5`, `1 234,5` (continental European exports).
    #[serde(rename = ",")]
    DecimalComma,
}

impl std::str::FromStr for NumberFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim() {
            "." => Ok(NumberFormat::DecimalPoint),
            "," => Ok(NumberFormat::DecimalComma),
            other => Err(format!("'{other}' is not a decimal mark: use '.' or ','")),
        }
    }
}

impl NumberFormat {
    /// Rewrite one cell written with a decimal comma as canonical numeric text
    /// (`1.234,5` → `1234.5`); `None` when the cell is not such a number, so
    /// text cells pass through untouched.
    pub fn canonical(self, text: &str) -> Option<String> {
        if self == NumberFormat::DecimalPoint {
            return None;
        }
        let t = text.trim();
        if t.contains(['.', ' ', '\u{a0}', '\u{202f}']) {
            // Grouped: the stripped text is canonical already (`1234.5`).
            let plain = strip_grouping(t, b'.', b',')
                .or_else(|| strip_grouping(&t.replace(['\u{a0}', '\u{202f}'], " "), b' ', b','))?;
            return plain.parse::<f64>().ok().map(|_| plain);
        }
        let plain = t;
        if !plain.bytes().any(|b| b.is_ascii_digit())
            || !plain
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b',' | b'-' | b'+' | b'e' | b'E'))
        {
            return None;
        }
        let canonical = plain.replacen(',', ".", 1);
        canonical.parse::<f64>().ok().map(|_| canonical)
    }

    /// What one cell says about the decimal mark: `Some(mark)` when it can
    /// only be read with that mark (`2,5` and `1.234,5` need a comma, `2.5` and
    /// `1,234.5` a point), `None` when it gives no evidence (text, whole
    /// numbers). [`MarkEvidence::Ambiguous`] for `1,234` or `1.234`, which
    /// read differently under the two marks.
    pub fn evidence(cell: &str) -> MarkEvidence {
        let t = cell.trim();
        if t.len() > 40
            || !t
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit() || b == b'-')
        {
            return MarkEvidence::None;
        }
        let as_point = matches!(parse_number(t), NumberParse::Value(_));
        let as_comma = NumberFormat::DecimalComma.canonical(t).is_some();
        match (as_point, as_comma) {
            (false, true) => MarkEvidence::Only(NumberFormat::DecimalComma),
            (true, false) => MarkEvidence::Only(NumberFormat::DecimalPoint),
            (true, true) if t.contains([',', '.']) => MarkEvidence::Ambiguous,
            _ => MarkEvidence::None,
        }
    }
}

/// What a cell tells about a file's decimal mark (see [`NumberFormat::evidence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkEvidence {
    /// Only this mark reads the cell as a number.
    Only(NumberFormat),
    /// Both marks read it, as different numbers.
    Ambiguous,
    /// No evidence.
    None,
}

/// `t` without its thousands separators, when it is a number whose integer
/// part is grouped by `group` in threes (`1,234,567.5` for `,`), with `decimal`
/// as the decimal mark; `None` otherwise.
fn strip_grouping(t: &str, group: u8, decimal: u8) -> Option<String> {
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') | Some(b'+') => (&t[..1], &t[1..]),
        _ => ("", t),
    };
    let (int, frac) = match rest.bytes().position(|b| b == decimal) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let groups: Vec<&str> = int.split(group as char).collect();
    if groups.len() < 2
        || groups[0].is_empty()
        || groups[0].len() > 3
        || groups[1..].iter().any(|g| g.len() != 3)
        || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let mut out = String::with_capacity(t.len());
    out.push_str(sign);
    out.push_str(&groups.concat());
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
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
        let value = match clean_text(v) {
            None => None,
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

/// Normalise one text cell: trimmed, and `None` when empty or a missing-value
/// placeholder ([`MISSING_TOKENS`]).
pub fn clean_text(value: Option<&str>) -> Option<&str> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty() && !is_token(s))
}

/// Most characters of a value quoted in a message.
const QUOTE_LIMIT: usize = 60;

/// A value quoted in a message: at most 60 characters, with the full length
/// named when cut, so a megabyte of text never lands in a warning.
pub fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTE_LIMIT) {
        None => format!("'{value}'"),
        Some((end, _)) => format!("'{}…' ({} bytes)", &value[..end], value.len()),
    }
}

/// A value cut to at most 60 characters (with `…` when cut), for messages
/// that put their own quotes around it.
pub fn shortened(value: &str) -> String {
    match value.char_indices().nth(QUOTE_LIMIT) {
        None => value.to_string(),
        Some((end, _)) => format!("{}… ({} bytes)", &value[..end], value.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_missing_in_any_case_and_with_spaces() {
        for token in [
            "N/A", "n/a", " NA ", "#N/A", "-", "--", "?", "NULL", "None", "(blank)", "NaN",
        ] {
            assert!(is_missing_token(token), "{token}");
            assert_eq!(parse_number(token), NumberParse::Missing, "{token}");
            assert_eq!(clean_text(Some(token)), None, "{token}");
        }
        for text in ["North", "-1", "0", "nan-tech", "?!"] {
            assert!(!is_missing_token(text), "{text}");
        }
        assert_eq!(clean_text(Some(" software ")), Some("software"));
    }

    #[test]
    fn placeholders_are_missing_in_yes_no_and_number_columns_too() {
        let origin = Origin {
            path: Path::new("t.csv"),
            rows_before: 0,
        };
        let flags = Column::new("demo".into(), &["yes", " N/A ", "no", "-"]);
        let flags = boolean_values(&flags, "demo", origin).expect("yes/no");
        assert_eq!(flags, vec![Some(true), None, Some(false), None]);
        let numbers = Column::new("visits".into(), &["3", "n/a", "1,234", "?"]);
        let numbers = numeric_values(&numbers, "visits", origin).expect("numbers");
        assert_eq!(numbers, vec![Some(3.0), None, Some(1234.0), None]);
    }

    #[test]
    fn thousands_separators_in_groups_of_three_are_numbers() {
        assert_eq!(parse_number("1,234"), NumberParse::Value(1234.0));
        assert_eq!(
            parse_number("-1,234,567.25"),
            NumberParse::Value(-1_234_567.25)
        );
        for not_grouped in ["1,23", "12,34,567", ",123", "1,234,", "1,2345"] {
            assert_eq!(
                parse_number(not_grouped),
                NumberParse::NotANumber,
                "{not_grouped}"
            );
        }
        assert_eq!(parse_number("inf"), NumberParse::NonFinite);
        assert_eq!(parse_number("1e400"), NumberParse::NonFinite);
    }

    #[test]
    fn decimal_commas_are_rewritten_and_text_is_left_alone() {
        let comma = NumberFormat::DecimalComma;
        assert_eq!(comma.canonical("2,3").as_deref(), Some("2.3"));
        assert_eq!(comma.canonical("1.234,5").as_deref(), Some("1234.5"));
        assert_eq!(comma.canonical("-1.234.567").as_deref(), Some("-1234567"));
        assert_eq!(comma.canonical("1 234,5").as_deref(), Some("1234.5"));
        assert_eq!(comma.canonical("1\u{a0}234,5").as_deref(), Some("1234.5"));
        for text in ["São Paulo", "2024-01-05", "1.23.4", "-", "a,b"] {
            assert_eq!(comma.canonical(text), None, "{text}");
        }
        assert_eq!(NumberFormat::DecimalPoint.canonical("2,3"), None);
    }

    #[test]
    fn each_cell_tells_what_it_can_about_the_decimal_mark() {
        use MarkEvidence::*;
        assert_eq!(
            NumberFormat::evidence("2,5"),
            Only(NumberFormat::DecimalComma)
        );
        assert_eq!(
            NumberFormat::evidence("1.234,5"),
            Only(NumberFormat::DecimalComma)
        );
        assert_eq!(
            NumberFormat::evidence("2.5"),
            Only(NumberFormat::DecimalPoint)
        );
        assert_eq!(
            NumberFormat::evidence("1,234.5"),
            Only(NumberFormat::DecimalPoint)
        );
        assert_eq!(NumberFormat::evidence("1,234"), Ambiguous);
        assert_eq!(NumberFormat::evidence("1.234"), Ambiguous);
        assert_eq!(NumberFormat::evidence("12"), None);
        assert_eq!(NumberFormat::evidence("software"), None);
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(quoted("short"), "'short'");
        let long = "é".repeat(1000);
        let q = quoted(&long);
        assert!(q.starts_with(&format!("'{}…'", "é".repeat(60))), "{q}");
        assert!(q.ends_with("(2000 bytes)"), "{q}");
    }
}
