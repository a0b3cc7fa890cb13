//! The record of how a numeric feature's representation was decided, kept in
//! the model beside the encoder so the card, the summary and the report can
//! show the evidence.

use serde::{Deserialize, Serialize};

use crate::schema::Transform;

/// What decided a numeric feature's representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceBasis {
    /// `transform` in `leadscore.toml`.
    Configured,
    /// The lowest cross-validated log loss of the candidates.
    CrossValidation,
    /// The candidates' winner lost to plain values for every feature in the
    /// whole-model cross-validation, so plain values were kept.
    WholeModel,
}

/// One candidate and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    /// The candidate.
    pub transform: Transform,
    /// Mean validation log loss over the folds of a logistic regression on
    /// this feature alone (with its missing and sentinel indicators).
    pub cv_log_loss: f64,
    /// Bins of the fit on all training rows (binned candidates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bins: Option<usize>,
}

/// How a numeric feature's representation was decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepresentationChoice {
    /// The representation in use.
    pub chosen: Transform,
    /// What decided it.
    pub basis: ChoiceBasis,
    /// Every candidate tried, with its cross-validated log loss (empty when
    /// configured).
    pub candidates: Vec<CandidateScore>,
}

impl RepresentationChoice {
    /// One line for the card: `monotone_bins (7 bins): CV log loss 0.3012;
    /// none 0.3050, log1p 0.3031, bins 0.3020`; `bins` is the number of bins
    /// of the fitted encoder, when binned.
    pub fn describe(&self, bins: Option<usize>) -> String {
        let chosen = match bins {
            Some(b) => format!("{} ({b} bins)", self.chosen.name()),
            None => self.chosen.name().to_string(),
        };
        match self.basis {
            ChoiceBasis::Configured => format!("{chosen}, as leadscore.toml sets"),
            ChoiceBasis::CrossValidation | ChoiceBasis::WholeModel => {
                let own = self
                    .candidates
                    .iter()
                    .find(|c| c.transform == self.chosen)
                    .map(|c| format!(": CV log loss {:.4}", c.cv_log_loss))
                    .unwrap_or_default();
                let others: Vec<String> = self
                    .candidates
                    .iter()
                    .filter(|c| c.transform != self.chosen)
                    .map(|c| format!("{} {:.4}", c.transform.name(), c.cv_log_loss))
                    .collect();
                let rest = if others.is_empty() {
                    String::new()
                } else {
                    format!("; {}", others.join(", "))
                };
                let kept = if self.basis == ChoiceBasis::WholeModel {
                    " (plain values kept: the per-feature winners did worse in the whole model)"
                } else {
                    ""
                };
                format!("{chosen}{own}{rest}{kept}")
            }
        }
    }
}
