//! Schema inference: every column of a training table becomes a feature
//! (numeric, yes/no, categorical) or an exclusion, each with a stated reason;
//! `leadscore.toml` overrides win.

use std::collections::HashSet;
use std::path::Path;

use polars::prelude::*;

use super::config::{ColumnOverride, SchemaConfig, SentinelSetting};
use super::profile::{detect_sentinel, is_sequential_id, profile, ColumnProfile};
use super::{AgeDays, AgeReference, Exclusion, FeatureKind, FeatureSpec, Schema, Transform};
use crate::error::{Error, Result};
use crate::io::dates::{column_order, parse_date};
use crate::io::values::NumberParse;

/// Infer the schema of a training table.
pub fn infer_schema(df: &DataFrame, path: &Path, config: &SchemaConfig) -> Result<Schema> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let present: HashSet<&str> = names.iter().map(String::as_str).collect();

    let mut missing = Vec::new();
    for role in [
        Some(&config.label),
        config.id.as_ref(),
        config.date.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if !present.contains(role.as_str()) {
            missing.push(role.clone());
        }
    }
    if !missing.is_empty() {
        return Err(Error::MissingColumns {
            path: path.to_path_buf(),
            columns: missing,
            available: names.clone(),
        });
    }
    for name in config.exclude.iter().chain(config.columns.keys()) {
        if !present.contains(name.as_str()) {
            return Err(Error::Config {
                source_name: config.source_name.clone(),
                message: format!(
                    "column '{name}' is not in {}; the file has: {}",
                    path.display(),
                    names.join(", ")
                ),
            });
        }
    }

    let excluded_by_flag: HashSet<&str> = config.exclude.iter().map(String::as_str).collect();
    let mut features = Vec::new();
    let mut excluded = Vec::new();
    for name in &names {
        if name == &config.label
            || Some(name) == config.id.as_ref()
            || Some(name) == config.date.as_ref()
        {
            continue;
        }
        let overrides = config.columns.get(name).cloned().unwrap_or_default();
        if excluded_by_flag.contains(name.as_str()) || overrides.exclude == Some(true) {
            excluded.push(Exclusion {
                column: name.clone(),
                reason: "excluded by configuration".into(),
            });
            continue;
        }
        let column = df.column(name)?;
        if overrides.age_days == Some(true) {
            features.push(age_feature(df, name, path, config, &overrides)?);
            continue;
        }
        match decide_column(column, name, path, config, &overrides)? {
            Decision::Feature(spec) => features.push(spec),
            Decision::Exclude(reason) => excluded.push(Exclusion {
                column: name.clone(),
                reason,
            }),
        }
    }
    if features.is_empty() {
        return Err(Error::NoFeatures {
            path: path.to_path_buf(),
        });
    }
    Ok(Schema {
        label: config.label.clone(),
        positive: config.positive.clone().unwrap_or_default(),
        id: config.id.clone(),
        date: config.date.clone(),
        features,
        excluded,
    })
}

enum Decision {
    Feature(FeatureSpec),
    Exclude(String),
}

/// A date column used as its age in days (`age_days = true`): every filled
/// value must be a date; the days are counted up to the lead's date column,
/// or, without one, to the newest date of this column in the file.
fn age_feature(
    df: &DataFrame,
    name: &str,
    path: &Path,
    config: &SchemaConfig,
    overrides: &ColumnOverride,
) -> Result<FeatureSpec> {
    if overrides.kind.is_some_and(|k| k != FeatureKind::Numeric)
        || overrides.min_frequency.is_some()
        || overrides.max_levels.is_some()
    {
        return Err(Error::Config {
            source_name: config.source_name.clone(),
            message: format!(
                "column '{name}' has age_days = true, which makes it numeric (days); remove its kind, min_frequency or max_levels"
            ),
        });
    }
    let text = crate::io::values::text_values(df.column(name)?)?;
    let order = column_order(text.iter().flatten().filter(|v| clean(v)), path, name)?;
    let mut newest: Option<i64> = None;
    for (i, value) in text.iter().enumerate() {
        let Some(value) = value.filter(|v| clean(v)) else {
            continue;
        };
        let seconds = parse_date(value, order).ok_or_else(|| Error::BadDate {
            path: path.to_path_buf(),
            column: name.to_string(),
            row: i + 1,
            value: value.to_string(),
        })?;
        newest = Some(newest.map_or(seconds, |n| n.max(seconds)));
    }
    let Some(newest) = newest else {
        return Err(Error::ColumnAllMissing {
            path: path.to_path_buf(),
            column: name.to_string(),
        });
    };
    let (reference, reference_order) = match &config.date {
        Some(date) => {
            let text = crate::io::values::text_values(df.column(date)?)?;
            let order = column_order(text.iter().flatten(), path, date)?;
            (AgeReference::Column(date.clone()), order)
        }
        None => (AgeReference::Fixed(newest), None),
    };
    let reason = format!(
        "age in days from its date to {} (age_days = true{})",
        match &reference {
            AgeReference::Column(date) => format!("the lead's {date}"),
            AgeReference::Fixed(_) => format!(
                "{}, the newest date in the column (no date column given)",
                reference.describe()
            ),
        },
        overrides
            .transform
            .map(|t| format!(", {} configured", t.name()))
            .unwrap_or_default()
    );
    Ok(FeatureSpec {
        name: name.to_string(),
        kind: FeatureKind::Numeric,
        transform: overrides.transform,
        sentinel: None,
        min_frequency: 0,
        max_levels: None,
        reason,
        required: overrides.required.unwrap_or(false),
        age_days: Some(AgeDays {
            reference,
            order,
            reference_order,
        }),
    })
}

/// Whether a cell holds a value (not blank, not a placeholder such as `n/a`).
fn clean(value: &str) -> bool {
    crate::io::values::clean_text(Some(value)).is_some()
}

fn decide_column(
    column: &Column,
    name: &str,
    path: &Path,
    config: &SchemaConfig,
    overrides: &ColumnOverride,
) -> Result<Decision> {
    let is_bool_dtype = column.dtype() == &DataType::Boolean;
    let p = profile(column)?;
    if p.non_null == 0 {
        return Err(Error::ColumnAllMissing {
            path: path.to_path_buf(),
            column: name.to_string(),
        });
    }
    let min_frequency = overrides.min_frequency.unwrap_or(config.min_frequency);
    let configured = overrides.kind.is_some();
    let kind = match overrides.kind {
        Some(kind) => kind,
        None => {
            if p.levels.len() == 1 {
                return Ok(Decision::Exclude(format!(
                    "constant: every row holds '{}'",
                    p.levels.keys().next().map(String::as_str).unwrap_or("")
                )));
            }
            let all_numeric = p.text_count == 0;
            let zero_one =
                all_numeric && p.numbers.iter().flatten().all(|v| *v == 0.0 || *v == 1.0);
            if is_bool_dtype || zero_one || (p.all_bool_words && p.bool_words.len() == 2) {
                FeatureKind::Boolean
            } else if all_numeric {
                if is_sequential_id(&p) {
                    return Ok(Decision::Exclude(
                        "id-like: a distinct whole number in every row, from a contiguous range"
                            .into(),
                    ));
                }
                FeatureKind::Numeric
            } else if p.numeric_count() * 10 >= p.non_null * 9 {
                // At least 90% numbers: the text is a data error, not a level.
                return Err(text_in_numeric_error(&p, name, path));
            } else if p.all_dates {
                return Ok(Decision::Exclude(
                    "looks like a date: pass --date to use it for a time-based holdout".into(),
                ));
            } else if p.levels.len() * 10 >= p.non_null * 9 && p.non_null >= 20 {
                return Ok(Decision::Exclude(format!(
                    "id-like: {} distinct values in {} rows",
                    p.levels.len(),
                    p.non_null
                )));
            } else {
                if let Some(reason) = free_text(&p, min_frequency) {
                    return Ok(Decision::Exclude(reason));
                }
                FeatureKind::Categorical
            }
        }
    };
    overrides.check_applies_to(name, kind, &config.source_name)?;
    let origin = if configured { "configured" } else { "inferred" };
    let mut spec = FeatureSpec {
        name: name.to_string(),
        kind,
        transform: None,
        sentinel: None,
        min_frequency,
        max_levels: (kind == FeatureKind::Categorical)
            .then(|| overrides.max_levels.unwrap_or(config.max_levels)),
        reason: String::new(),
        required: overrides.required.unwrap_or(false),
        age_days: None,
    };
    match kind {
        FeatureKind::Boolean => {
            if !(is_bool_dtype || p.all_bool_words || p.text_count == 0) {
                return Err(text_in_numeric_error(&p, name, path));
            }
            spec.reason = format!("{origin} yes/no");
        }
        FeatureKind::Categorical => {
            let kept = p.levels.values().filter(|n| **n >= min_frequency).count();
            let max_levels = spec.max_levels.unwrap_or(usize::MAX);
            let cap = if kept > max_levels {
                format!(" (capped at the {max_levels} most frequent: max_levels)")
            } else {
                String::new()
            };
            spec.reason = format!(
                "{origin} categorical: {} levels, {kept} with at least {min_frequency} rows{cap}, the rest as 'other'",
                p.levels.len()
            );
            if p.numeric_count() > 0 && !configured {
                spec.reason.push_str(&format!(
                    " ({:.0}% of its values are numbers, under the 90% a numeric column needs; non-numeric values: {})",
                    (100.0 * p.numeric_count() as f64 / p.non_null as f64).floor(),
                    p.non_numeric_examples()
                ));
            }
        }
        FeatureKind::Numeric => {
            if p.text_count > 0 {
                return Err(text_in_numeric_error(&p, name, path));
            }
            let values: Vec<f64> = p.numbers.iter().flatten().copied().collect();
            spec.sentinel = match &overrides.sentinel {
                Some(SentinelSetting::Value(v)) => Some(*v),
                Some(SentinelSetting::NoSentinel) => None,
                None => detect_sentinel(&values),
            };
            let regular: Vec<f64> = values
                .iter()
                .copied()
                .filter(|v| Some(*v) != spec.sentinel)
                .collect();
            spec.transform = overrides.transform;
            if spec.transform == Some(Transform::Log1p) {
                if let Some((i, v)) = p.numbers.iter().enumerate().find_map(|(i, v)| {
                    v.filter(|x| *x <= -1.0 && Some(*x) != spec.sentinel)
                        .map(|x| (i, x))
                }) {
                    return Err(Error::OutOfDomain {
                        path: path.to_path_buf(),
                        column: name.to_string(),
                        row: i + 1,
                        value: v,
                    });
                }
            }
            let mut reason = format!("{origin} numeric");
            if let Some(t) = spec.transform {
                reason.push_str(&format!(", {} (configured)", t.name()));
            }
            if let Some(s) = spec.sentinel {
                let share = values.iter().filter(|v| **v == s).count() as f64 / values.len() as f64;
                reason.push_str(&format!(
                    ", {s} treated as a 'not applicable' code ({:.0}% of rows) with its own indicator",
                    100.0 * share
                ));
            }
            if regular.len() < values.len() && spec.sentinel.is_some() && regular.is_empty() {
                return Err(Error::Config {
                    source_name: config.source_name.clone(),
                    message: format!("column '{name}' holds only its sentinel value"),
                });
            }
            spec.reason = reason;
        }
    }
    if let Some(placeholders) = p.placeholder_summary() {
        spec.reason.push_str(&format!(
            "; {placeholders} placeholder values read as missing"
        ));
    }
    Ok(Decision::Feature(spec))
}

fn text_in_numeric_error(p: &ColumnProfile, name: &str, path: &Path) -> Error {
    match &p.first_text {
        Some((i, value, NumberParse::NonFinite)) => Error::NonFinite {
            path: path.to_path_buf(),
            column: name.to_string(),
            row: i + 1,
            value: value.clone(),
        },
        Some((i, value, _)) => Error::MostlyNumeric {
            path: path.to_path_buf(),
            column: name.to_string(),
            row: i + 1,
            value: crate::io::values::quoted(value),
            percent: (100.0 * p.numeric_count() as f64 / p.non_null.max(1) as f64).floor(),
            examples: p.non_numeric_examples(),
        },
        None => Error::ColumnAllMissing {
            path: path.to_path_buf(),
            column: name.to_string(),
        },
    }
}

/// Why a text column is free text rather than categories, if it is. Three
/// signs, each independent of the row count:
/// - fewer than half of the rows fall in levels with `min_frequency` rows;
/// - most of its distinct values occur once;
/// - its count of levels with `min_frequency` rows grows with the rows: every
///   other row alone has fewer than three quarters of them.
///
/// Columns with at most 50 distinct values are never free text.
fn free_text(p: &ColumnProfile, min_frequency: usize) -> Option<String> {
    let distinct = p.levels.len();
    if distinct <= 50 {
        return None;
    }
    let covered: usize = p.levels.values().filter(|n| **n >= min_frequency).sum();
    if covered * 2 < p.non_null {
        return Some(format!(
            "free text: {distinct} distinct values and only {:.1}% of rows in levels with at least {min_frequency} rows",
            100.0 * covered as f64 / p.non_null as f64
        ));
    }
    let once = p.levels.values().filter(|n| **n == 1).count();
    if once * 2 > distinct {
        return Some(format!(
            "free text: {once} of its {distinct} distinct values occur only once"
        ));
    }
    let kept = p.levels.values().filter(|n| **n >= min_frequency).count();
    let kept_half = p
        .half_levels
        .values()
        .filter(|n| **n >= min_frequency)
        .count();
    if kept > 50 && kept_half * 4 < kept * 3 {
        return Some(format!(
            "free text: its levels with at least {min_frequency} rows grow with the rows ({kept} in all rows, {kept_half} in every other row)"
        ));
    }
    None
}
