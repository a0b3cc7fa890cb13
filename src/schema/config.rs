//! `leadscore.toml`: column roles and per-column overrides as the user writes
//! them, read and checked once, and the checked settings schema inference takes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{FeatureKind, Transform};
use crate::error::{Error, Result};

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
    /// Most one-hot levels (categorical only).
    pub max_levels: Option<usize>,
    /// A sentinel value (number) or `"none"` to switch sentinel detection off.
    pub sentinel: Option<SentinelSetting>,
    /// Refuse to score a lead without this value (default: impute it as in training).
    pub required: Option<bool>,
    /// Use a date column as its age in days, up to the lead's date column (or
    /// the training file's newest date of this column when there is none).
    pub age_days: Option<bool>,
}

/// A sentinel given in `leadscore.toml`: a number, or `"none"` to switch
/// detection off. Anything else is refused when the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "SentinelText", into = "SentinelText")]
pub enum SentinelSetting {
    /// This value means "not applicable".
    Value(f64),
    /// `"none"`: the column has no sentinel.
    NoSentinel,
}

/// How a sentinel is written in TOML.
#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum SentinelText {
    Value(f64),
    Keyword(String),
}

impl TryFrom<SentinelText> for SentinelSetting {
    type Error = String;
    fn try_from(text: SentinelText) -> std::result::Result<Self, String> {
        match text {
            SentinelText::Value(v) if v.is_finite() => Ok(SentinelSetting::Value(v)),
            SentinelText::Value(v) => Err(format!("sentinel must be a finite number, not {v}")),
            SentinelText::Keyword(k) if k.trim().eq_ignore_ascii_case("none") => {
                Ok(SentinelSetting::NoSentinel)
            }
            SentinelText::Keyword(k) => Err(format!(
                "sentinel must be a number or \"none\", not \"{k}\""
            )),
        }
    }
}

impl From<SentinelSetting> for SentinelText {
    fn from(s: SentinelSetting) -> Self {
        match s {
            SentinelSetting::Value(v) => SentinelText::Value(v),
            SentinelSetting::NoSentinel => SentinelText::Keyword("none".into()),
        }
    }
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
    /// Default most one-hot levels per categorical feature.
    pub max_levels: Option<usize>,
    /// Decimal mark of numbers in the data file: "." or "," (default: sniffed).
    pub decimal: Option<crate::io::NumberFormat>,
    /// Text encoding of the data file, e.g. "windows-1252" (default: UTF-8).
    #[serde(default, deserialize_with = "encoding_label")]
    pub encoding: Option<crate::io::TextEncoding>,
    /// Per-column overrides.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnOverride>,
}

fn encoding_label<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<crate::io::TextEncoding>, D::Error> {
    let label: Option<String> = Option::deserialize(d)?;
    label
        .map(|l| l.parse().map_err(serde::de::Error::custom))
        .transpose()
}

impl ColumnsConfig {
    /// The configuration to use: the file `explicit` names, else
    /// `./leadscore.toml` when it exists, else none.
    pub fn locate(explicit: Option<&Path>) -> Result<Option<(PathBuf, ColumnsConfig)>> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let default = PathBuf::from("leadscore.toml");
                if !default.exists() {
                    return Ok(None);
                }
                default
            }
        };
        let config = ColumnsConfig::from_file(&path)?;
        Ok(Some((path, config)))
    }

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
    /// Default most one-hot levels per categorical feature.
    pub max_levels: usize,
    /// Per-column overrides.
    pub columns: BTreeMap<String, ColumnOverride>,
    /// Where the overrides came from (for error messages).
    pub source_name: String,
}

impl ColumnOverride {
    /// Check that every setting applies to `kind`: a transform or a sentinel
    /// on a column that is not numeric, or a minimum frequency on one that is
    /// not categorical, is an error rather than silently ignored.
    pub fn check_applies_to(
        &self,
        column: &str,
        kind: FeatureKind,
        source_name: &str,
    ) -> Result<()> {
        let misplaced = match kind {
            FeatureKind::Numeric => self
                .min_frequency
                .map(|_| "min_frequency")
                .or(self.max_levels.map(|_| "max_levels")),
            FeatureKind::Boolean | FeatureKind::Categorical => self
                .transform
                .map(|_| "transform")
                .or(self.sentinel.map(|_| "sentinel"))
                .or(self
                    .min_frequency
                    .filter(|_| kind == FeatureKind::Boolean)
                    .map(|_| "min_frequency"))
                .or(self
                    .max_levels
                    .filter(|_| kind == FeatureKind::Boolean)
                    .map(|_| "max_levels")),
        };
        match misplaced {
            Some(setting) => Err(Error::Config {
                source_name: source_name.to_string(),
                message: format!(
                    "columns.{column}.{setting} does not apply to a {} column; remove it, or set kind to one it applies to",
                    kind.describe()
                ),
            }),
            None => Ok(()),
        }
    }
}
