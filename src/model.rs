//! The fitted model: schema, encoder, weights, cut-offs and the training card.
//! It never changes after training; everything downstream reads it.

use serde::{Deserialize, Serialize};

use crate::encode::{sigmoid, EncodeError, EncodeNote, Encoder, FeatureEncoder, RawValue};
use crate::metrics::Metrics;
use crate::points::ScorecardScale;
use crate::policy::{CutoffOutcome, CutoffPolicy};
use crate::schema::{FeatureKind, Schema, Transform};
use crate::stages::{Cutoffs, Stage};

/// The artifact format this build writes. Every released version stays
/// loadable (see `artifact.rs` and `tests/fixtures/`).
///
/// - 1: first release.
/// - 2: adds `cutoff_choice` (the policies behind the cut-offs and what they
///   give on the holdout); version-1 files load with `cutoff_choice: null`.
/// - 3: adds `term_means` (each encoded term's training mean, the "average
///   lead" reason codes are relative to); older files load without them.
/// - 4: a feature may be marked `required` (scoring refuses a lead without
///   it instead of imputing); older files load with nothing required.
pub const FORMAT_VERSION: u32 = 4;

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

/// How probabilities become points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PointsScale {
    /// `points = round(100 × probability)` (the default).
    #[default]
    ProbabilityTimes100,
    /// The scorecard scale: `round(offset + factor × ln(odds))`, PDO points per doubling.
    Scorecard(ScorecardScale),
}

impl PointsScale {
    /// Points for a probability.
    pub fn points(&self, probability: f64) -> i64 {
        match self {
            PointsScale::ProbabilityTimes100 => (100.0 * probability).round() as i64,
            PointsScale::Scorecard(scale) => scale
                .points_of_probability(probability.clamp(1e-15, 1.0 - 1e-15))
                .round() as i64,
        }
    }

    /// The scorecard scale, when the model uses one.
    pub fn scorecard(&self) -> Option<ScorecardScale> {
        match self {
            PointsScale::Scorecard(s) => Some(*s),
            PointsScale::ProbabilityTimes100 => None,
        }
    }

    /// A one-line description for summaries.
    pub fn describe(&self) -> String {
        match self {
            PointsScale::ProbabilityTimes100 => "points = round(100 x p)".into(),
            PointsScale::Scorecard(s) => format!(
                "points = round({:.2} + {:.2} x ln(odds)): {} points double the odds",
                s.offset(),
                s.factor(),
                s.pdo()
            ),
        }
    }
}

/// The score of one lead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LeadScore {
    /// Probability of converting.
    pub probability: f64,
    /// Funnel stage from the model's cut-offs.
    pub stage: Stage,
    /// Points on the model's points scale.
    pub points: i64,
}

/// Everything [`Model::new`] needs (produced by training).
#[derive(Debug, Clone)]
pub struct ModelParts {
    /// Model name.
    pub name: String,
    /// Training card.
    pub training: TrainingCard,
    /// Schema.
    pub schema: Schema,
    /// Fitted encoder.
    pub encoder: Encoder,
    /// Weights in term order, oriented on conversion.
    pub weights: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Penalty choice.
    pub regularisation: Regularisation,
    /// Holdout results.
    pub holdout: Holdout,
    /// Cut-offs.
    pub cutoffs: Cutoffs,
    /// How the cut-offs were chosen.
    pub cutoff_choice: Option<CutoffChoice>,
    /// Training mean of every encoded term.
    pub term_means: Vec<f64>,
    /// The points scale.
    pub points: PointsScale,
}

/// A fitted lead-scoring model (the content of the artifact).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    format_version: u32,
    leadscore_version: String,
    name: String,
    trained_at: String,
    training: TrainingCard,
    schema: Schema,
    encoder: Encoder,
    intercept: f64,
    coefficients: Vec<Coefficient>,
    regularisation: Regularisation,
    holdout: Holdout,
    cutoffs: Cutoffs,
    #[serde(default)]
    cutoff_choice: Option<CutoffChoice>,
    #[serde(default)]
    term_means: Vec<f64>,
    points: PointsScale,
}

impl Model {
    /// Assemble a model from training results.
    pub fn new(parts: ModelParts) -> Model {
        let mut coefficients = Vec::with_capacity(parts.weights.len());
        let mut k = 0;
        for feature in parts.encoder.features() {
            for (j, term) in feature.term_names().into_iter().enumerate() {
                let weight = parts.weights[k];
                let (per_raw_unit, raw_unit) = match feature {
                    FeatureEncoder::Numeric(e) if j == 0 => (
                        Some(e.per_unit(weight)),
                        Some(match e.transform {
                            Transform::None => "unit".to_string(),
                            Transform::Log1p => "unit of ln(1 + x)".to_string(),
                        }),
                    ),
                    _ => (None, None),
                };
                coefficients.push(Coefficient {
                    term,
                    feature: feature.name().to_string(),
                    weight,
                    per_raw_unit,
                    raw_unit,
                });
                k += 1;
            }
        }
        Model {
            format_version: FORMAT_VERSION,
            leadscore_version: env!("CARGO_PKG_VERSION").to_string(),
            name: parts.name,
            trained_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            training: parts.training,
            schema: parts.schema,
            encoder: parts.encoder,
            intercept: parts.intercept,
            coefficients,
            regularisation: parts.regularisation,
            holdout: parts.holdout,
            cutoffs: parts.cutoffs,
            cutoff_choice: parts.cutoff_choice,
            term_means: parts.term_means,
            points: parts.points,
        }
    }

    /// Check internal consistency after loading: the coefficients line up with
    /// the encoder's terms and every number is finite.
    pub fn validate(&self) -> Result<(), String> {
        let terms = self.encoder.term_names();
        if terms.len() != self.coefficients.len() {
            return Err(format!(
                "{} coefficients for {} encoded terms",
                self.coefficients.len(),
                terms.len()
            ));
        }
        for (t, c) in terms.iter().zip(&self.coefficients) {
            if t != &c.term {
                return Err(format!(
                    "coefficient '{}' where term '{t}' was expected",
                    c.term
                ));
            }
            if !c.weight.is_finite() {
                return Err(format!("coefficient '{}' is not finite", c.term));
            }
        }
        if !self.intercept.is_finite() {
            return Err("intercept is not finite".into());
        }
        if !self.term_means.is_empty()
            && (self.term_means.len() != terms.len()
                || self.term_means.iter().any(|m| !m.is_finite()))
        {
            return Err("term_means do not match the encoded terms".into());
        }
        for feature in self.encoder.features() {
            if let FeatureEncoder::Numeric(e) = feature {
                let finite = e.median.is_finite() && e.mean.is_finite() && e.scale.is_finite();
                if !finite || e.scale <= 0.0 {
                    return Err(format!(
                        "numeric encoder of '{}' has invalid median/mean/scale",
                        e.name
                    ));
                }
            }
        }
        let names: Vec<&str> = self.schema.feature_names().collect();
        let encoded: Vec<&str> = self.encoder.features().iter().map(|f| f.name()).collect();
        if names != encoded {
            return Err("schema features and encoder features differ".into());
        }
        Ok(())
    }

    /// The artifact format version of this model.
    pub fn format_version(&self) -> u32 {
        self.format_version
    }
    /// leadscore version that trained the model.
    pub fn leadscore_version(&self) -> &str {
        &self.leadscore_version
    }
    /// Model name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// When it was trained (UTC, RFC 3339).
    pub fn trained_at(&self) -> &str {
        &self.trained_at
    }
    /// The training card.
    pub fn training(&self) -> &TrainingCard {
        &self.training
    }
    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
    /// The fitted encoder.
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }
    /// Intercept (log-odds of an average lead, in encoded terms).
    pub fn intercept(&self) -> f64 {
        self.intercept
    }
    /// Coefficients in term order.
    pub fn coefficients(&self) -> &[Coefficient] {
        &self.coefficients
    }
    /// Penalty choice and CV table.
    pub fn regularisation(&self) -> &Regularisation {
        &self.regularisation
    }
    /// Holdout metrics.
    pub fn holdout(&self) -> &Holdout {
        &self.holdout
    }
    /// MQL/SQL cut-offs.
    pub fn cutoffs(&self) -> Cutoffs {
        self.cutoffs
    }
    /// Training mean of every encoded term (empty for files before version 3).
    pub fn term_means(&self) -> &[f64] {
        &self.term_means
    }

    /// How the cut-offs were chosen (absent in version-1 files).
    pub fn cutoff_choice(&self) -> Option<&CutoffChoice> {
        self.cutoff_choice.as_ref()
    }

    /// The same model with new cut-offs (weights untouched), written in the
    /// current format.
    pub fn with_cutoffs(&self, cutoffs: Cutoffs, choice: CutoffChoice) -> Model {
        Model {
            format_version: FORMAT_VERSION,
            cutoffs,
            cutoff_choice: Some(choice),
            ..self.clone()
        }
    }

    /// Points scale.
    pub fn points_scale(&self) -> PointsScale {
        self.points
    }

    /// Number of encoded terms (the length of the buffer [`encode_lead`](Self::encode_lead) fills).
    pub fn n_terms(&self) -> usize {
        self.coefficients.len()
    }

    /// Encode one lead into `terms` (length [`n_terms`](Self::n_terms)).
    /// `value(i)` gives the raw value of feature `i` (in schema order);
    /// `on_note(i, note)` is called for imputed values and unseen levels.
    /// Stops at the first value that cannot be encoded.
    pub fn encode_lead<'a>(
        &self,
        mut value: impl FnMut(usize) -> RawValue<'a>,
        terms: &mut [f64],
        mut on_note: impl FnMut(usize, EncodeNote),
    ) -> Result<(), (usize, EncodeError)> {
        let mut offset = 0;
        for (i, feature) in self.encoder.features().iter().enumerate() {
            let width = feature.n_terms();
            let note = self
                .encode_feature(i, value(i), &mut terms[offset..offset + width])
                .map_err(|e| (i, e))?;
            if let Some(note) = note {
                on_note(i, note);
            }
            offset += width;
        }
        Ok(())
    }

    /// Every value of one lead that cannot be encoded (not only the first),
    /// in schema order; empty when [`encode_lead`](Self::encode_lead) succeeds.
    pub fn lead_errors<'a>(
        &self,
        mut value: impl FnMut(usize) -> RawValue<'a>,
    ) -> Vec<(usize, EncodeError)> {
        let features = self.encoder.features();
        let mut scratch = vec![0.0; features.iter().map(|f| f.n_terms()).max().unwrap_or(0)];
        features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                self.encode_feature(i, value(i), &mut scratch[..f.n_terms()])
                    .err()
                    .map(|e| (i, e))
            })
            .collect()
    }

    /// Encode feature `i`, refusing a missing value when the schema marks it required.
    fn encode_feature(
        &self,
        i: usize,
        raw: RawValue<'_>,
        out: &mut [f64],
    ) -> Result<Option<EncodeNote>, EncodeError> {
        if raw == RawValue::Missing && self.schema.features.get(i).is_some_and(|f| f.required) {
            return Err(EncodeError::Required);
        }
        self.encoder.features()[i].encode(raw, out)
    }

    /// Log-odds of converting for encoded terms.
    pub fn log_odds(&self, terms: &[f64]) -> f64 {
        self.coefficients
            .iter()
            .zip(terms)
            .fold(self.intercept, |z, (c, t)| z + c.weight * t)
    }

    /// Score encoded terms: probability, stage and points.
    pub fn score_terms(&self, terms: &[f64]) -> LeadScore {
        let probability = sigmoid(self.log_odds(terms));
        LeadScore {
            probability,
            stage: self.cutoffs.stage(probability),
            points: self.points.points(probability),
        }
    }

    /// The kind of each feature, in schema order.
    pub fn feature_kinds(&self) -> impl Iterator<Item = (&str, FeatureKind)> {
        self.encoder.features().iter().map(|f| (f.name(), f.kind()))
    }
}
