//! The one place features are declared: which column is the label, the id, the
//! date, and how every other column is used (numeric, yes/no, categorical or
//! excluded), inferred from the data ([`infer`]) and overridable by
//! `leadscore.toml` ([`config`]). Every decision carries a reason that is
//! printed and stored in the model.

pub mod config;
pub mod infer;
pub mod label;
mod profile;

use serde::{Deserialize, Serialize};

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

/// How a numeric feature is represented: a line in the value (as it is, or
/// after `ln(1 + x)`), or points per bin. `transform` in `leadscore.toml`
/// fixes it; otherwise training chooses it by cross-validated log loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// The value as it is, standardised.
    #[default]
    None,
    /// `ln(1 + x)`, standardised: for skewed non-negative counts and amounts.
    Log1p,
    /// Quantile bins (about ten), each with its own points.
    Bins,
    /// Quantile bins merged until conversion rises or falls monotonically
    /// across them, each with its own points.
    MonotoneBins,
}

impl Transform {
    /// The name `leadscore.toml` and the model file use (`monotone_bins`).
    pub fn name(self) -> &'static str {
        match self {
            Transform::None => "none",
            Transform::Log1p => "log1p",
            Transform::Bins => "bins",
            Transform::MonotoneBins => "monotone_bins",
        }
    }

    /// Whether the feature is scored per bin rather than along a line.
    pub fn is_binned(self) -> bool {
        matches!(self, Transform::Bins | Transform::MonotoneBins)
    }
}

/// A date column used as a number: the days from its date to a reference
/// (`age_days = true` in `leadscore.toml`; format version 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeDays {
    /// What the days are counted up to.
    pub reference: AgeReference,
    /// Day/month order of the column's `dd-mm-yyyy` / `mm/dd/yyyy` dates
    /// (`None`: ISO dates, which need none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<crate::io::dates::DayMonth>,
    /// The same for the reference column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_order: Option<crate::io::dates::DayMonth>,
}

/// What an age in days is counted up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeReference {
    /// The lead's own date: the schema's date column, which scoring then needs too.
    Column(String),
    /// A fixed instant (seconds since 1970-01-01 UTC): the newest date of the
    /// column in the training file, when the schema has no date column.
    Fixed(i64),
}

impl AgeReference {
    /// How the reference reads: `created_at`, or `2025-12-30`.
    pub fn describe(&self) -> String {
        match self {
            AgeReference::Column(name) => name.clone(),
            AgeReference::Fixed(seconds) => crate::io::dates::format_date(*seconds),
        }
    }
}

/// How one input column is used, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Column name in the input.
    pub name: String,
    /// Encoding kind.
    pub kind: FeatureKind,
    /// Numeric representation fixed in `leadscore.toml` (numeric features
    /// only); `None`: chosen by cross-validation when fitting (format version
    /// 7; earlier models hold the transform they used). The fitted encoder
    /// holds the one in use.
    #[serde(default)]
    pub transform: Option<Transform>,
    /// A numeric sentinel meaning "not applicable" (e.g. `pdays = -1`): encoded
    /// as its own indicator instead of as a number.
    #[serde(default)]
    pub sentinel: Option<f64>,
    /// Categorical levels seen in fewer training rows than this go to `other`.
    #[serde(default)]
    pub min_frequency: usize,
    /// Most one-hot levels a categorical keeps (the most frequent); the rest
    /// go to `other`. Used when fitting; absent in files before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_levels: Option<usize>,
    /// Why the column got this treatment (inferred or configured).
    pub reason: String,
    /// Scoring refuses a lead without this value instead of imputing it
    /// (`required = true` in `leadscore.toml`; format version 4).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// A date column scored as its age in days (numeric features only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days: Option<AgeDays>,
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

impl FeatureKind {
    /// How the kind reads in a sentence ("numeric", "yes/no", "categorical").
    pub fn describe(self) -> &'static str {
        match self {
            FeatureKind::Numeric => "numeric",
            FeatureKind::Boolean => "yes/no",
            FeatureKind::Categorical => "categorical",
        }
    }
}
