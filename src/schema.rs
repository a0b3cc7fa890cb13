//! The one place features are declared: which column is the label, the id, the
//! date, and how every other column is used (numeric, yes/no, categorical or
//! excluded), inferred from the data and overridable by `leadscore.toml`.
//! Every decision carries a reason that is printed and stored in the model.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{clean_text, parse_bool_word, parse_number, NumberParse};
use crate::error::{Error, Result};

/// How a feature is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A number: imputed, optionally log1p-transformed, standardised.
    Numeric,
    /// Yes/no: encoded as 0/1.
    Boolean,
    /// Text levels: one-hot with an explicit `other` level.
    Categorical,
}

/// A transform applied to a numeric feature before standardising.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Use the value as it is.
    #[default]
    None,
    /// `ln(1 + x)`, for skewed non-negative counts and durations.
    Log1p,
}

/// How one input column is used, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Column name in the input.
    pub name: String,
    /// Encoding kind.
    pub kind: FeatureKind,
    /// Numeric transform (numeric features only).
    #[serde(default)]
    pub transform: Transform,
    /// A numeric sentinel meaning "not applicable" (e.g. `pdays = -1`): encoded
    /// as its own indicator instead of as a number.
    #[serde(default)]
    pub sentinel: Option<f64>,
    /// Categorical levels seen in fewer training rows than this go to `other`.
    #[serde(default)]
    pub min_frequency: usize,
    /// Why the column got this treatment (inferred or configured).
    pub reason: String,
    /// Scoring refuses a lead without this value instead of imputing it
    /// (`required = true` in `leadscore.toml`; format version 4).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// A column that is not used as a feature, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Column name.
    pub column: String,
    /// Why it is not used.
    pub reason: String,
}

/// The full description of a training table's columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The label column (did the lead become a customer?).
    pub label: String,
    /// The label value that means "converted".
    pub positive: String,
    /// The id column, passed through but never a feature.
    pub id: Option<String>,
    /// The date column used for the time-based holdout.
    pub date: Option<String>,
    /// Features in encoding order.
    pub features: Vec<FeatureSpec>,
    /// Columns left out, with reasons.
    pub excluded: Vec<Exclusion>,
}

impl Schema {
    /// Names of the feature columns, in encoding order.
    pub fn feature_names(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.name.as_str())
    }
}

/// Per-column settings from `leadscore.toml` (`[columns.NAME]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnOverride {
    /// Force the kind.
    pub kind: Option<FeatureKind>,
    /// Force a transform (numeric only).
    pub transform: Option<Transform>,
    /// Leave the column out.
    pub exclude: Option<bool>,
    /// Minimum rows per categorical level.
    pub min_frequency: Option<usize>,
    /// A sentinel value (number) or `"none"` to switch sentinel detection off.
    pub sentinel: Option<SentinelSetting>,
    /// Refuse to score a lead without this value (default: impute it as in training).
    pub required: Option<bool>,
}

/// A sentinel given in `leadscore.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum SentinelSetting {
    /// This value means "not applicable".
    Value(f64),
    /// `"none"`: the column has no sentinel.
    Keyword(String),
}

/// The contents of `leadscore.toml`: column roles and per-column overrides.
/// Command-line flags take precedence over it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsConfig {
    /// Label column.
    pub label: Option<String>,
    /// Label value meaning converted.
    pub positive: Option<String>,
    /// Id column.
    pub id: Option<String>,
    /// Date column.
    pub date: Option<String>,
    /// Columns to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Default minimum rows per categorical level.
    pub min_frequency: Option<usize>,
    /// Per-column overrides.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnOverride>,
}

impl ColumnsConfig {
    /// Read `leadscore.toml`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::reading(path, source))?;
        toml::from_str(&text).map_err(|e| Error::Config {
            source_name: path.display().to_string(),
            message: e.to_string().trim().replace('\n', " "),
        })
    }
}

/// Default minimum number of training rows for a categorical level to get its own term.
pub const DEFAULT_MIN_FREQUENCY: usize = 20;
/// Skewness above which a non-negative numeric column is log1p-transformed by default.
pub const LOG1P_SKEWNESS: f64 = 2.0;
/// Values commonly used as "not applicable" codes in numeric columns.
const SENTINEL_CANDIDATES: [f64; 8] = [-1.0, -9.0, -99.0, -999.0, 99.0, 999.0, 9999.0, 99999.0];

/// Everything schema inference needs besides the data, checked.
#[derive(Debug, Clone)]
pub struct SchemaConfig {
    /// Label column.
    pub label: String,
    /// Label value meaning converted (`None`: infer yes/true/1).
    pub positive: Option<String>,
    /// Id column.
    pub id: Option<String>,
    /// Date column.
    pub date: Option<String>,
    /// Columns to leave out.
    pub exclude: Vec<String>,
    /// Default minimum rows per categorical level.
    pub min_frequency: usize,
    /// Per-column overrides.
    pub columns: BTreeMap<String, ColumnOverride>,
    /// Where the overrides came from (for error messages).
    pub source_name: String,
}

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

/// What a scan of a column's values found.
struct ColumnProfile {
    non_null: usize,
    numbers: Vec<Option<f64>>,
    /// First row (0-based) whose text is not a number, with the text.
    first_text: Option<(usize, String, NumberParse)>,
    text_count: usize,
    bool_words: HashSet<bool>,
    all_bool_words: bool,
    levels: HashMap<String, usize>,
    all_dates: bool,
}

fn profile(column: &Column) -> Result<ColumnProfile> {
    let series = column.as_materialized_series();
    let numeric_dtype = series.dtype().is_primitive_numeric();
    let text = series.cast(&DataType::String)?;
    let text = text.str()?;
    let mut p = ColumnProfile {
        non_null: 0,
        numbers: Vec::with_capacity(text.len()),
        first_text: None,
        text_count: 0,
        bool_words: HashSet::new(),
        all_bool_words: true,
        levels: HashMap::new(),
        all_dates: !numeric_dtype,
    };
    for (i, value) in text.iter().enumerate() {
        let Some(value) = clean_text(value) else {
            p.numbers.push(None);
            continue;
        };
        p.non_null += 1;
        match parse_number(value) {
            NumberParse::Value(x) => p.numbers.push(Some(x)),
            other => {
                p.numbers.push(None);
                p.text_count += 1;
                if p.first_text.is_none() {
                    p.first_text = Some((i, value.to_string(), other));
                }
            }
        }
        match parse_bool_word(value) {
            Some(b) => {
                p.bool_words.insert(b);
            }
            None => p.all_bool_words = false,
        }
        if p.all_dates && crate::dates::parse_datetime(value).is_none() {
            p.all_dates = false;
        }
        if let Some(n) = p.levels.get_mut(value) {
            *n += 1;
        } else if p.levels.len() <= 100_000 {
            p.levels.insert(value.to_string(), 1);
        }
    }
    Ok(p)
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
            } else if p.text_count * 20 <= p.non_null {
                // At least 95% numbers: the text is a data error, not a level.
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
                let covered: usize = p.levels.values().filter(|n| **n >= min_frequency).sum();
                if p.levels.len() > 50 && covered * 2 < p.non_null {
                    return Ok(Decision::Exclude(format!(
                        "free text: {} distinct values and only {:.1}% of rows in levels with at least {min_frequency} rows",
                        p.levels.len(),
                        100.0 * covered as f64 / p.non_null as f64
                    )));
                }
                FeatureKind::Categorical
            }
        }
    };
    let origin = if configured { "configured" } else { "inferred" };
    let mut spec = FeatureSpec {
        name: name.to_string(),
        kind,
        transform: Transform::None,
        sentinel: None,
        min_frequency,
        reason: String::new(),
        required: overrides.required.unwrap_or(false),
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
            spec.reason = format!(
                "{origin} categorical: {} levels, {kept} with at least {min_frequency} rows, the rest as 'other'",
                p.levels.len()
            );
        }
        FeatureKind::Numeric => {
            if p.text_count > 0 {
                return Err(text_in_numeric_error(&p, name, path));
            }
            let values: Vec<f64> = p.numbers.iter().flatten().copied().collect();
            spec.sentinel = match &overrides.sentinel {
                Some(SentinelSetting::Value(v)) => Some(*v),
                Some(SentinelSetting::Keyword(k)) if k.eq_ignore_ascii_case("none") => None,
                Some(SentinelSetting::Keyword(k)) => {
                    return Err(Error::Config {
                        source_name: config.source_name.clone(),
                        message: format!(
                            "columns.{name}.sentinel must be a number or \"none\", not \"{k}\""
                        ),
                    })
                }
                None => detect_sentinel(&values),
            };
            let regular: Vec<f64> = values
                .iter()
                .copied()
                .filter(|v| Some(*v) != spec.sentinel)
                .collect();
            spec.transform = match overrides.transform {
                Some(t) => t,
                None => {
                    let min = regular.iter().copied().fold(f64::INFINITY, f64::min);
                    if min >= 0.0 && skewness(&regular) > LOG1P_SKEWNESS {
                        Transform::Log1p
                    } else {
                        Transform::None
                    }
                }
            };
            if spec.transform == Transform::Log1p {
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
            match (spec.transform, overrides.transform.is_some()) {
                (Transform::Log1p, true) => reason.push_str(", log1p (configured)"),
                (Transform::Log1p, false) => reason.push_str(&format!(
                    ", log1p (skewness {:.1} > {LOG1P_SKEWNESS})",
                    skewness(&regular)
                )),
                _ => {}
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
    Ok(Decision::Feature(spec))
}

/// Whole numbers, distinct in every row, packed into a range no wider than
/// twice the row count: a record number, not a measurement (revenue figures
/// are distinct too, but spread far wider).
fn is_sequential_id(p: &ColumnProfile) -> bool {
    if p.non_null < 20 || p.levels.len() != p.non_null {
        return false;
    }
    let values = p.numbers.iter().flatten();
    if !values.clone().all(|v| v.fract() == 0.0) {
        return false;
    }
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    max - min < 2.0 * p.non_null as f64
}

fn text_in_numeric_error(p: &ColumnProfile, name: &str, path: &Path) -> Error {
    match &p.first_text {
        Some((i, value, NumberParse::NonFinite)) => Error::NonFinite {
            path: path.to_path_buf(),
            column: name.to_string(),
            row: i + 1,
            value: value.clone(),
        },
        Some((i, value, _)) => Error::NonNumeric {
            path: path.to_path_buf(),
            column: name.to_string(),
            row: i + 1,
            value: value.clone(),
        },
        None => Error::ColumnAllMissing {
            path: path.to_path_buf(),
            column: name.to_string(),
        },
    }
}

/// A "not applicable" code: one of the usual sentinel values, lying outside
/// the range of every other value (below all of them for negative codes, more
/// than twice the largest for positive ones), in at least 5% of rows.
fn detect_sentinel(values: &[f64]) -> Option<f64> {
    for s in SENTINEL_CANDIDATES {
        let count = values.iter().filter(|v| **v == s).count();
        if count == 0 || count * 20 < values.len() || count == values.len() {
            continue;
        }
        let others = values.iter().copied().filter(|v| *v != s);
        let outside = if s < 0.0 {
            others.fold(f64::INFINITY, f64::min) >= 0.0
        } else {
            others.fold(f64::NEG_INFINITY, f64::max) * 2.0 < s
        };
        if outside {
            return Some(s);
        }
    }
    None
}

/// Sample skewness (Fisher's moment coefficient); 0 for constant data.
pub fn skewness(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if n < 3.0 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n;
    let (m2, m3) = values.iter().fold((0.0, 0.0), |(m2, m3), v| {
        let d = v - mean;
        (m2 + d * d, m3 + d * d * d)
    });
    let (m2, m3) = (m2 / n, m3 / n);
    if m2 <= 0.0 {
        0.0
    } else {
        m3 / m2.powf(1.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile_of(values: &[f64]) -> ColumnProfile {
        ColumnProfile {
            non_null: values.len(),
            numbers: values.iter().map(|v| Some(*v)).collect(),
            first_text: None,
            text_count: 0,
            bool_words: HashSet::new(),
            all_bool_words: false,
            levels: values.iter().map(|v| (v.to_string(), 1)).collect(),
            all_dates: false,
        }
    }

    #[test]
    fn record_numbers_are_ids_but_distinct_measurements_are_not() {
        let ids: Vec<f64> = (1000..1050).map(f64::from).collect();
        assert!(is_sequential_id(&profile_of(&ids)));
        let revenue: Vec<f64> = (0..50).map(|i| f64::from(i) * 7919.0 + 13.0).collect();
        assert!(!is_sequential_id(&profile_of(&revenue)));
        assert!(
            !is_sequential_id(&profile_of(&ids[..10])),
            "too few rows to tell"
        );
    }

    #[test]
    fn sentinels_must_lie_outside_the_other_values() {
        let mut pdays = vec![-1.0; 80];
        pdays.extend((0..20).map(f64::from));
        assert_eq!(detect_sentinel(&pdays), Some(-1.0));
        let mut codes = vec![999.0; 90];
        codes.extend((0..10).map(f64::from));
        assert_eq!(detect_sentinel(&codes), Some(999.0));
        let mut genuine = vec![-1.0; 10];
        genuine.extend((-5..5).map(f64::from));
        assert_eq!(
            detect_sentinel(&genuine),
            None,
            "-1 inside the range is a value"
        );
    }

    #[test]
    fn skewness_of_symmetric_and_skewed_data() {
        assert!(skewness(&[1.0, 2.0, 3.0, 4.0, 5.0]).abs() < 1e-12);
        assert!(skewness(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]) > 2.0);
    }
}
