//! The label column: which value means "converted", checked to be binary with
//! both classes present.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::values::{clean_text, parse_bool_word, parse_number, NumberParse};

/// Labels of a table: `true` for leads that converted.
#[derive(Debug, Clone)]
pub struct Labels {
    /// One entry per row.
    pub converted: Vec<bool>,
    /// The label value that means converted (numbers by value, text in lower case).
    pub positive: String,
}

impl Labels {
    /// Number of converted leads.
    pub fn positives(&self) -> usize {
        self.converted.iter().filter(|c| **c).count()
    }
}

/// Read the label column. `positive` names the converted value; without it,
/// yes/true/1 style values are recognised.
pub fn read_labels(
    df: &DataFrame,
    path: &Path,
    column: &str,
    positive: Option<&str>,
) -> Result<Labels> {
    let col = df.column(column).map_err(|_| Error::MissingColumns {
        path: path.to_path_buf(),
        columns: vec![column.to_string()],
        available: df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    })?;
    let text = crate::io::values::text_values(col)?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (i, value) in text.iter().enumerate() {
        match clean_text(value) {
            None => {
                return Err(Error::MissingLabel {
                    path: path.to_path_buf(),
                    column: column.to_string(),
                    row: i + 1,
                })
            }
            Some(v) => *counts.entry(canonical(v)).or_default() += 1,
        }
    }
    let values: Vec<String> = counts.keys().cloned().collect();
    if counts.len() > 2 {
        return Err(Error::LabelNotBinary {
            path: path.to_path_buf(),
            column: column.to_string(),
            values,
        });
    }
    if counts.len() < 2 {
        let (value, n) = counts
            .iter()
            .next()
            .map(|(v, n)| (v.clone(), *n))
            .unwrap_or_default();
        let which = match positive.map(|p| canonical(p.trim())) {
            Some(p) if p == value => " (converted)",
            Some(_) => " (not converted)",
            None => "",
        };
        return Err(Error::OneClass {
            path: path.to_path_buf(),
            column: column.to_string(),
            detail: format!("all {n} rows are '{value}'{which}"),
        });
    }
    let positive_value = match positive {
        Some(p) => {
            let p = canonical(p.trim());
            if !counts.contains_key(&p) && counts.len() == 2 {
                return Err(Error::InvalidArgument {
                    name: "positive".into(),
                    message: format!(
                        "'{p}' is not a value of label column '{column}' in {} (values: {})",
                        path.display(),
                        values.join(", ")
                    ),
                });
            }
            p
        }
        None => infer_positive(&values).ok_or_else(|| Error::AmbiguousPositive {
            path: path.to_path_buf(),
            column: column.to_string(),
            values: values.clone(),
        })?,
    };
    let converted = text
        .iter()
        .map(|v| clean_text(v).map(canonical).as_deref() == Some(positive_value.as_str()))
        .collect();
    Ok(Labels {
        converted,
        positive: positive_value,
    })
}

/// Numbers are compared by value so that `1`, `1.0` and ` 1` agree, and
/// text case-insensitively so that `Yes`, `YES` and `yes` do.
fn canonical(value: &str) -> String {
    match parse_number(value) {
        NumberParse::Value(x) => format!("{x}"),
        _ => value.trim().to_lowercase(),
    }
}

fn infer_positive(values: &[String]) -> Option<String> {
    if values.len() != 2 {
        return values
            .iter()
            .find(|v| parse_bool_word(v) == Some(true))
            .cloned();
    }
    let (a, b) = (parse_bool_word(&values[0]), parse_bool_word(&values[1]));
    match (a, b) {
        (Some(true), Some(false)) => Some(values[0].clone()),
        (Some(false), Some(true)) => Some(values[1].clone()),
        _ => None,
    }
}
