//! The training card and the records a model keeps about how it was made:
//! weights by term, the data it came from, the penalty search, the holdout
//! and how the cut-offs were chosen.

use serde::{Deserialize, Serialize};

use crate::evaluate::metrics::Metrics;
use crate::evaluate::policy::{CutoffOutcome, CutoffPolicy};

/// One learned weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// Encoded term, e.g. `industry=software`, `website_visits`, `demo_requested`.
    pub term: String,
    /// The input column the term comes from.
    pub feature: String,
    /// Log-odds weight on the encoded (standardised for numeric) term.
    pub weight: f64,
    /// For the main term of a numeric feature: log-odds change per raw unit
    /// (per unit of `ln(1 + x)` when log1p-transformed).
    pub per_raw_unit: Option<f64>,
    /// What `per_raw_unit` is per, e.g. `"unit"` or `"unit of ln(1 + x)"`.
    pub raw_unit: Option<String>,
}

/// Where the model's data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingCard {
    /// File name of the training data.
    pub data_file: String,
    /// SHA-256 of the training file.
    pub data_sha256: String,
    /// Rows in the file.
    pub rows: usize,
    /// Converted rows in the file.
    pub positives: usize,
    /// Rows used to fit (the rest is the holdout).
    pub rows_train: usize,
    /// Converted rows used to fit.
    pub positives_train: usize,
    /// First and last date in the data (when a date column was given).
    pub date_range: Option<(String, String)>,
    /// Warnings raised while training.
    pub warnings: Vec<String>,
    /// The leakage guard's findings on the training part (`None`: trained
    /// before format version 6, unchecked; empty: checked, nothing found).
    #[serde(default)]
    pub leakage: Option<Vec<crate::train::leakage::LeakageFinding>>,
}

/// Mean cross-validated log loss for one penalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvRow {
    /// Penalty α (= 1/C).
    pub alpha: f64,
    /// Mean validation log loss over the folds.
    pub mean_log_loss: f64,
    /// Standard deviation of the fold log losses.
    pub std_log_loss: f64,
    /// Whether every fold's fit converged.
    pub converged: bool,
}

/// How the penalty was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regularisation {
    /// Chosen penalty α on the summed log loss (linfa-logistic's `alpha`).
    pub alpha: f64,
    /// The same as scikit-learn's `C` (= 1/α).
    pub c: f64,
    /// Number of cross-validation folds.
    pub folds: usize,
    /// One row per penalty tried.
    pub cv: Vec<CvRow>,
    /// Whether the final fit converged.
    pub converged: bool,
    /// Gradient norm of the final fit.
    pub gradient_norm: f64,
    /// The whole-model check of the numeric representations, when any was
    /// chosen other than plain values (format version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representations: Option<DesignCheck>,
}

/// The whole-model cross-validation of the per-feature representation
/// choices against plain values for every feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignCheck {
    /// Best mean validation log loss with the chosen representations.
    pub chosen_cv_log_loss: f64,
    /// The same with plain values wherever the choice was not configured.
    pub plain_cv_log_loss: f64,
    /// Whether the chosen representations were kept.
    pub kept_chosen: bool,
}

impl DesignCheck {
    /// One sentence for the card and the report.
    pub fn describe(&self) -> String {
        format!(
            "whole-model cross-validated log loss {:.4} with the chosen representations, {:.4} with plain values for every feature: {} kept",
            self.chosen_cv_log_loss,
            self.plain_cv_log_loss,
            if self.kept_chosen {
                "the chosen ones"
            } else {
                "plain values"
            }
        )
    }
}

/// How the model did on rows it never saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holdout {
    /// `"time"` (newest rows by the date column) or `"stratified random"`.
    pub split: String,
    /// Share of rows held out.
    pub fraction: f64,
    /// First date in the holdout (time split only).
    pub from_date: Option<String>,
    /// Metrics on the holdout.
    pub metrics: Metrics,
}

/// How the cut-offs were chosen and what they give on the leads they were
/// chosen on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoffChoice {
    /// Policy behind the MQL cut-off.
    pub mql_policy: CutoffPolicy,
    /// Policy behind the SQL cut-off.
    pub sql_policy: CutoffPolicy,
    /// Which leads they were resolved on (e.g. "holdout (1000 leads)").
    pub chosen_on: String,
    /// Leads at or above the MQL cut-off on those leads.
    pub mql: CutoffOutcome,
    /// Leads at or above the SQL cut-off on those leads.
    pub sql: CutoffOutcome,
}
