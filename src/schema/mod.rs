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

pub use profile::{skewness, LOG1P_SKEWNESS};

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
