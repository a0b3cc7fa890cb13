//! The fitted model: schema, encoder, weights, cut-offs and the training card.
//! It never changes after training; everything downstream reads it.

pub mod artifact;
mod card;
mod check;
pub mod reference;
mod scoring;
pub mod stages;
pub mod text;

use serde::{Deserialize, Serialize};

pub use card::{
    Coefficient, CutoffChoice, CvRow, DesignCheck, Holdout, Regularisation, TrainingCard,
};
pub use check::ModelInconsistency;
pub use scoring::LeadScore;

use crate::encode::{Encoder, FeatureEncoder};
use crate::points::PointsScale;
use crate::schema::{FeatureKind, Schema, Transform};
use reference::TrainingReference;
use stages::Cutoffs;

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
/// - 5: numeric encoders store their training `range`; scoring clips values
///   to it and warns about values far outside it. Older files load without
///   ranges and score as before (no clipping, no warning).
/// - 6: the training card records the leakage guard's findings
///   (`training.leakage`); older files load with `null` (not checked).
/// - 7: a numeric feature's representation is chosen by cross-validation and
///   may be bins (`transform: "bins"` or `"monotone_bins"` with `bins`, one
///   term per bin); each numeric encoder keeps the evidence (`choice`) and
///   `regularisation.representations` the whole-model check. A feature
///   spec's `transform` is `null` unless configured; a feature spec may hold
///   `age_days` (a date scored as its age in days). Older files load with
///   their lines as before.
/// - 8: the model keeps its training distribution (`reference`: a histogram
///   per feature, of the score and the stage counts, see [`mod@reference`]) for
///   `leadscore drift` and the service's rolling PSI. Older files load with
///   `null` and everything but drift works as before.
pub const FORMAT_VERSION: u32 = 8;

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
    /// The training distribution drift is measured against.
    pub reference: Option<TrainingReference>,
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
    #[serde(default)]
    reference: Option<TrainingReference>,
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
                    FeatureEncoder::Numeric(e) if j == 0 => match e.per_unit(weight) {
                        Some(per_unit) => (
                            Some(per_unit),
                            Some(match e.transform() {
                                Transform::Log1p => "unit of ln(1 + x)".to_string(),
                                _ => "unit".to_string(),
                            }),
                        ),
                        None => (None, None),
                    },
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
            reference: parts.reference,
        }
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

    /// The training distribution (absent in files before format version 8).
    pub fn reference(&self) -> Option<&TrainingReference> {
        self.reference.as_ref()
    }

    /// Points scale.
    pub fn points_scale(&self) -> PointsScale {
        self.points
    }

    /// The kind of each feature, in schema order.
    pub fn feature_kinds(&self) -> impl Iterator<Item = (&str, FeatureKind)> {
        self.encoder.features().iter().map(|f| (f.name(), f.kind()))
    }
}
