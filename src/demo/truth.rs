//! The generator's ground truth: each column's true effect on the log-odds of
//! converting, the levels and their sampling weights, and the constants the
//! synthetic funnel is built from.

use std::collections::BTreeMap;

use rand::distributions::WeightedIndex;
use serde::{Deserialize, Serialize};

/// Target share of converters (before drift).
pub(super) const BASE_RATE: f64 = 0.09;
/// Intercept drift in log-odds per year (conversion rises mildly over time).
pub(super) const DRIFT_PER_YEAR: f64 = 0.25;
/// Days covered by `created_at`.
pub(super) const DAYS: i64 = 730;
/// First day of `created_at`.
pub(super) const START: (i32, u32, u32) = (2024, 1, 1);

/// The true effect of one column on the log-odds of converting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrueEffect {
    /// Log-odds change per unit of the value (after `transform`).
    Numeric {
        /// `"none"` or `"log1p"`.
        transform: String,
        /// Log-odds per unit.
        log_odds_per_unit: f64,
        /// Share of rows left blank (missing completely at random).
        missing_share: f64,
    },
    /// Log-odds change when the value is yes.
    Boolean {
        /// Log-odds if yes.
        log_odds_if_yes: f64,
    },
    /// Log-odds of each level relative to `reference` (which is 0).
    Categorical {
        /// The level with effect 0.
        reference: String,
        /// Effect per level (levels not listed have effect 0).
        log_odds: BTreeMap<String, f64>,
        /// Share of rows left blank.
        missing_share: f64,
    },
    /// Not a predictor (id, e-mail, date).
    None {
        /// What the column is.
        note: String,
    },
}

/// The ground truth of a generated data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Rows generated.
    pub rows: usize,
    /// Seed used.
    pub seed: u64,
    /// Intercept on the first day.
    pub intercept: f64,
    /// Intercept change per year of `created_at`.
    pub drift_per_year: f64,
    /// Effects by column.
    pub effects: BTreeMap<String, TrueEffect>,
    /// How the label was drawn.
    pub label: String,
}

pub(super) fn levels(pairs: &[(&str, f64, f64)]) -> (Vec<String>, WeightedIndex<f64>, Vec<f64>) {
    let names = pairs.iter().map(|p| p.0.to_string()).collect();
    let weights = WeightedIndex::new(pairs.iter().map(|p| p.1)).expect("positive weights");
    let effects = pairs.iter().map(|p| p.2).collect();
    (names, weights, effects)
}

/// (level, sampling weight, true log-odds effect)
pub(super) const INDUSTRY: [(&str, f64, f64); 8] = [
    ("software", 0.22, 0.4),
    ("financial_services", 0.12, 0.3),
    ("healthcare", 0.10, 0.1),
    ("manufacturing", 0.16, 0.0),
    ("retail", 0.12, -0.2),
    ("education", 0.10, -0.5),
    ("government", 0.06, -0.3),
    ("media", 0.12, -0.1),
];
pub(super) const COMPANY_SIZE: [(&str, f64, f64); 6] = [
    ("1-10", 0.20, -0.6),
    ("11-50", 0.24, -0.2),
    ("51-200", 0.22, 0.0),
    ("201-1000", 0.17, 0.3),
    ("1001-5000", 0.10, 0.45),
    ("5000+", 0.07, 0.2),
];
pub(super) const COUNTRY: [(&str, f64, f64); 17] = [
    ("US", 0.36, 0.0),
    ("GB", 0.12, 0.0),
    ("DE", 0.10, 0.1),
    ("FR", 0.07, -0.1),
    ("CA", 0.07, 0.0),
    ("AU", 0.05, 0.0),
    ("IN", 0.08, -0.4),
    ("BR", 0.05, -0.3),
    ("NL", 0.04, 0.1),
    ("SE", 0.005, 0.0),
    ("PL", 0.005, 0.0),
    ("ES", 0.006, 0.0),
    ("IT", 0.006, 0.0),
    ("JP", 0.004, 0.0),
    ("SG", 0.004, 0.0),
    ("MX", 0.004, 0.0),
    ("IE", 0.004, 0.0),
];
pub(super) const JOB_LEVEL: [(&str, f64, f64); 6] = [
    ("c_level", 0.05, 0.6),
    ("vp", 0.08, 0.5),
    ("director", 0.15, 0.4),
    ("manager", 0.27, 0.1),
    ("individual_contributor", 0.38, 0.0),
    ("student", 0.07, -1.2),
];
pub(super) const LEAD_SOURCE: [(&str, f64, f64); 9] = [
    ("organic_search", 0.25, 0.1),
    ("paid_search", 0.18, 0.0),
    ("referral", 0.07, 0.7),
    ("webinar", 0.08, 0.2),
    ("event", 0.06, 0.3),
    ("social", 0.12, -0.3),
    ("email_campaign", 0.12, 0.0),
    ("partner", 0.05, 0.5),
    ("direct", 0.07, 0.2),
];
pub(super) const JOB_TITLES: [&str; 12] = [
    "Marketing",
    "Sales",
    "Operations",
    "IT",
    "Finance",
    "Engineering",
    "Product",
    "HR",
    "Growth",
    "Data",
    "Procurement",
    "Customer Success",
];
pub(super) const REGIONS: [&str; 6] = ["", " EMEA", " APAC", " Americas", " (Remote)", " II"];
pub(super) const TITLE_PREFIX: [&str; 8] = [
    "Head of",
    "Director of",
    "VP",
    "Manager,",
    "Senior",
    "Junior",
    "Chief",
    "Lead",
];

// Numeric and yes/no effects.
pub(super) const VISITS_PER_LOG1P: f64 = 0.35;
pub(super) const PAGES_PER_UNIT: f64 = 0.10;
pub(super) const TIME_PER_LOG1P: f64 = 0.25;
pub(super) const PRICING_PER_VIEW: f64 = 0.30;
pub(super) const OPENS_PER_LOG1P: f64 = 0.15;
pub(super) const CLICKS_PER_LOG1P: f64 = 0.30;
pub(super) const EBOOK: f64 = 0.3;
pub(super) const WEBINAR: f64 = 0.4;
pub(super) const DEMO: f64 = 1.5;
pub(super) const CONTACT_FORM: f64 = 0.8;
pub(super) const MISSING_COMPANY_SIZE: f64 = 0.05;
pub(super) const MISSING_COUNTRY: f64 = 0.02;
pub(super) const MISSING_TIME_ON_SITE: f64 = 0.08;

pub(super) fn categorical_truth(
    pairs: &[(&str, f64, f64)],
    reference: &str,
    missing_share: f64,
) -> TrueEffect {
    TrueEffect::Categorical {
        reference: reference.to_string(),
        log_odds: pairs.iter().map(|p| (p.0.to_string(), p.2)).collect(),
        missing_share,
    }
}

pub(super) fn numeric_truth(transform: &str, per_unit: f64, missing_share: f64) -> TrueEffect {
    TrueEffect::Numeric {
        transform: transform.into(),
        log_odds_per_unit: per_unit,
        missing_share,
    }
}
