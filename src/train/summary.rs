//! What a training run reports: the JSON summary a script reads and the text
//! an analyst reads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::encode::choice::RepresentationChoice;
use crate::encode::FeatureEncoder;
use crate::evaluate::evaluation::Evaluation;
use crate::evaluate::text::evaluation_text;
use crate::model::text::{card_text, strongest};
use crate::model::{Coefficient, Model};

/// The machine-readable summary of a training run.
#[derive(Serialize)]
pub struct TrainSummary<'a> {
    model_path: PathBuf,
    name: &'a str,
    format_version: u32,
    rows: usize,
    positives: usize,
    conversion_rate: f64,
    rows_train: usize,
    features: Vec<&'a str>,
    excluded: &'a [crate::schema::Exclusion],
    alpha: f64,
    c: f64,
    holdout: &'a crate::model::Holdout,
    holdout_evaluation: &'a Evaluation,
    cutoffs: crate::model::stages::Cutoffs,
    cutoff_choice: Option<&'a crate::model::CutoffChoice>,
    representations: Vec<FeatureRepresentation<'a>>,
    representation_check: Option<&'a crate::model::DesignCheck>,
    top_positive: Vec<&'a Coefficient>,
    top_negative: Vec<&'a Coefficient>,
    warnings: &'a [String],
}

/// How one numeric feature is represented, and the evidence.
#[derive(Serialize)]
struct FeatureRepresentation<'a> {
    feature: &'a str,
    #[serde(flatten)]
    choice: &'a RepresentationChoice,
    /// Lower ends of the bins after the first, when binned.
    #[serde(skip_serializing_if = "Option::is_none")]
    bin_edges: Option<&'a [f64]>,
}

/// Build the JSON summary of a trained model.
pub fn train_summary<'a>(
    model: &'a Model,
    evaluation: &'a Evaluation,
    path: &Path,
) -> TrainSummary<'a> {
    let card = model.training();
    let (up, down) = strongest(model, 5);
    TrainSummary {
        model_path: path.to_path_buf(),
        name: model.name(),
        format_version: model.format_version(),
        rows: card.rows,
        positives: card.positives,
        conversion_rate: card.positives as f64 / card.rows.max(1) as f64,
        rows_train: card.rows_train,
        features: model.schema().feature_names().collect(),
        excluded: &model.schema().excluded,
        alpha: model.regularisation().alpha,
        c: model.regularisation().c,
        holdout: model.holdout(),
        holdout_evaluation: evaluation,
        cutoffs: model.cutoffs(),
        cutoff_choice: model.cutoff_choice(),
        representations: model
            .encoder()
            .features()
            .iter()
            .filter_map(|f| match f {
                FeatureEncoder::Numeric(e) => e.choice().map(|choice| FeatureRepresentation {
                    feature: e.name(),
                    choice,
                    bin_edges: e.bins().map(|b| b.edges()),
                }),
                _ => None,
            })
            .collect(),
        representation_check: model.regularisation().representations.as_ref(),
        top_positive: up,
        top_negative: down,
        warnings: &card.warnings,
    }
}

/// The summary of a training run as text: the card, the holdout evaluation
/// and where the model went.
pub fn train_text(out: &mut String, model: &Model, evaluation: &Evaluation, path: &Path) {
    card_text(out, model);
    let _ = writeln!(out, "holdout evaluation:");
    evaluation_text(out, evaluation);
    let _ = writeln!(out, "model     {}", path.display());
}
