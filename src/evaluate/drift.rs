//! Has the incoming lead mix drifted since training? The population
//! stability index of every feature and of the score against the training
//! distribution the model keeps (format 8), new category levels with their
//! share, how the stage shares moved, and, when the new leads carry labels,
//! calibration drift: predicted against observed conversion per score band.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use serde::Serialize;

use super::psi::{psi, shares, PsiBand};
use crate::encode::{FeatureEncoder, LevelBucket};
use crate::error::{Error, Result};
use crate::io::values::Origin;
use crate::io::{read_table, ReadOptions};
use crate::model::reference::TrainingReference;
use crate::model::stages::Stage;
use crate::model::{artifact, Model};
use crate::score::batch::{feature_columns, score_frame};

/// Most new levels listed per feature.
pub const MAX_NEW_LEVELS: usize = 20;

/// One bin's share in training and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinShift {
    /// How the bin reads (`5 to < 9`, `referral`, `(missing)`).
    pub bin: String,
    /// Share of the training part.
    pub training: f64,
    /// Share of the new leads.
    pub new: f64,
}

/// A level never seen in training.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewLevel {
    /// The level.
    pub level: String,
    /// New leads with it.
    pub leads: usize,
    /// Their share of the new leads.
    pub share: f64,
}

/// The drift of one distribution (a feature or the score).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionDrift {
    /// The feature, or `score`.
    pub name: String,
    /// Population stability index.
    pub psi: f64,
    /// Its conventional band.
    pub band: PsiBand,
    /// Per bin, training and new shares.
    pub bins: Vec<BinShift>,
    /// Levels not seen in training (categorical features), most common first.
    pub new_levels: Vec<NewLevel>,
    /// New leads with an unseen level, all levels together.
    pub new_level_share: f64,
}

/// A stage's share in training and now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageShift {
    /// The stage.
    pub stage: Stage,
    /// Share of the training part.
    pub training: f64,
    /// Share of the new leads.
    pub new: f64,
}

/// Predicted against observed conversion in one score band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationBand {
    /// The band (the training score histogram's bins).
    pub band: String,
    /// New leads in it.
    pub leads: usize,
    /// Their mean predicted probability.
    pub predicted: f64,
    /// Their observed conversion rate.
    pub observed: f64,
}

/// The drift report.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    /// The model file.
    pub model: PathBuf,
    /// Its name.
    pub model_name: String,
    /// The new leads' file.
    pub data: PathBuf,
    /// New leads.
    pub leads: usize,
    /// Training-part rows the reference counts.
    pub reference_rows: u64,
    /// The score's drift.
    pub score: DistributionDrift,
    /// Each feature's drift, largest PSI first.
    pub features: Vec<DistributionDrift>,
    /// Stage shares, training against new.
    pub stages: Vec<StageShift>,
    /// Calibration per score band (labelled leads only).
    pub calibration: Option<Vec<CalibrationBand>>,
    /// Observed conversion of the new leads (labelled only) and the mean
    /// predicted probability.
    pub conversion: Option<(f64, f64)>,
    /// What to do, in words.
    pub verdict: Vec<String>,
}

/// Load a model and measure the drift of the leads in `data`; write the
/// HTML report to `report` when given.
pub fn drift_file(
    model_path: &Path,
    data: &Path,
    read: &ReadOptions,
    report: Option<&Path>,
) -> Result<Drift> {
    let model = artifact::load(model_path)?;
    let frame = read_table(data, read)?;
    let drift = drift(&model, model_path, &frame, data)?;
    if let Some(report) = report {
        let html = crate::report::render_drift(&drift)?;
        crate::io::write::write_atomically(report, html.as_bytes())?;
    }
    Ok(drift)
}

/// The drift of `frame` against the model's training distribution.
pub fn drift(model: &Model, model_path: &Path, frame: &DataFrame, data: &Path) -> Result<Drift> {
    let reference = model
        .reference()
        .ok_or_else(|| Error::NoTrainingReference {
            path: model_path.to_path_buf(),
            version: model.format_version(),
        })?;
    let origin = Origin {
        path: data,
        rows_before: 0,
    };
    let columns = feature_columns(model, frame, origin)?;
    let n = frame.height();
    let mut features: Vec<DistributionDrift> = reference
        .features
        .iter()
        .zip(model.encoder().features())
        .zip(&columns)
        .map(|((h, encoder), column)| {
            let raw = || (0..n).map(|r| column.raw(r));
            let actual = h.bins.count(encoder, raw());
            let expected = h.bins.expected();
            let (new_levels, new_level_share) = new_levels(encoder, raw(), n);
            distribution(
                &h.feature,
                &expected,
                &actual,
                h.bins.labels(),
                new_levels,
                new_level_share,
            )
        })
        .collect();
    features.sort_by(|a, b| b.psi.total_cmp(&a.psi).then(a.name.cmp(&b.name)));
    let scores = score_frame(model, frame, origin)?.scores;
    let probabilities: Vec<f64> = scores.iter().map(|s| s.probability).collect();
    let score_counts = reference
        .score
        .count(probabilities.iter().map(|&p| Some(p)));
    let score = distribution(
        "score",
        &reference.score.with_missing(),
        &score_counts,
        reference.score.labels(),
        Vec::new(),
        0.0,
    );
    let mut new_stages = [0u64; 3];
    for s in &scores {
        new_stages[s.stage as usize] += 1;
    }
    let (training_shares, new_shares) = (shares(&reference.stages), shares(&new_stages));
    let stages = Stage::ALL
        .iter()
        .map(|&stage| StageShift {
            stage,
            training: training_shares[stage as usize],
            new: new_shares[stage as usize],
        })
        .collect();
    let label = &model.schema().label;
    let labels = if frame.column(label).is_ok() {
        Some(
            crate::schema::label::read_labels(frame, data, label, Some(&model.schema().positive))?
                .converted,
        )
    } else {
        None
    };
    let calibration = labels
        .as_ref()
        .map(|y| calibration_bands(reference, y, &probabilities));
    let conversion = labels.as_ref().map(|y| {
        (
            y.iter().filter(|c| **c).count() as f64 / n.max(1) as f64,
            probabilities.iter().sum::<f64>() / n.max(1) as f64,
        )
    });
    let mut drift = Drift {
        model: model_path.to_path_buf(),
        model_name: model.name().to_string(),
        data: data.to_path_buf(),
        leads: n,
        reference_rows: reference.rows,
        score,
        features,
        stages,
        calibration,
        conversion,
        verdict: Vec::new(),
    };
    drift.verdict = verdict(&drift);
    Ok(drift)
}

fn distribution(
    name: &str,
    expected: &[u64],
    actual: &[u64],
    labels: Vec<String>,
    new_levels: Vec<NewLevel>,
    new_level_share: f64,
) -> DistributionDrift {
    let value = psi(expected, actual);
    let bins = labels
        .into_iter()
        .zip(shares(expected).into_iter().zip(shares(actual)))
        // A bin empty on both sides (no missing values ever) says nothing.
        .filter(|(_, (e, a))| *e > 0.0 || *a > 0.0)
        .map(|(bin, (training, new))| BinShift { bin, training, new })
        .collect();
    DistributionDrift {
        name: name.to_string(),
        psi: value,
        band: PsiBand::of(value),
        bins,
        new_levels,
        new_level_share,
    }
}

/// Levels of a categorical feature that training never saw.
fn new_levels<'a>(
    encoder: &FeatureEncoder,
    values: impl Iterator<Item = crate::encode::RawValue<'a>>,
    n: usize,
) -> (Vec<NewLevel>, f64) {
    let FeatureEncoder::Categorical(e) = encoder else {
        return (Vec::new(), 0.0);
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        if v == crate::encode::RawValue::Missing {
            continue;
        }
        if let LevelBucket::Other { seen: false } = e.bucket(v) {
            *counts.entry(e.level_of(v).into_owned()).or_default() += 1;
        }
    }
    let total: usize = counts.values().sum();
    let mut levels: Vec<NewLevel> = counts
        .into_iter()
        .map(|(level, leads)| NewLevel {
            level,
            leads,
            share: leads as f64 / n.max(1) as f64,
        })
        .collect();
    levels.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.level.cmp(&b.level)));
    levels.truncate(MAX_NEW_LEVELS);
    (levels, total as f64 / n.max(1) as f64)
}

/// Predicted against observed per training score band.
fn calibration_bands(
    reference: &TrainingReference,
    labels: &[bool],
    probabilities: &[f64],
) -> Vec<CalibrationBand> {
    let bands = reference.score.labels();
    let k = reference.score.counts.len();
    let mut sums = vec![(0usize, 0.0f64, 0usize); k];
    for (&y, &p) in labels.iter().zip(probabilities) {
        let s = &mut sums[reference.score.bin(p)];
        s.0 += 1;
        s.1 += p;
        s.2 += usize::from(y);
    }
    sums.into_iter()
        .zip(bands)
        .filter(|((leads, _, _), _)| *leads > 0)
        .map(|((leads, p, c), band)| CalibrationBand {
            band,
            leads,
            predicted: p / leads as f64,
            observed: c as f64 / leads as f64,
        })
        .collect()
}

/// The verdict in words.
pub fn verdict(d: &Drift) -> Vec<String> {
    let mut lines = Vec::new();
    let act: Vec<&str> = d
        .features
        .iter()
        .filter(|f| f.band == PsiBand::Act)
        .map(|f| f.name.as_str())
        .collect();
    let watch: Vec<&str> = d
        .features
        .iter()
        .filter(|f| f.band == PsiBand::Watch)
        .map(|f| f.name.as_str())
        .collect();
    lines.push(match d.score.band {
        PsiBand::Act => format!(
            "the score has shifted (PSI {:.3} > 0.25): retrain on recent leads",
            d.score.psi
        ),
        PsiBand::Watch => format!(
            "the score has moved (PSI {:.3}, between 0.1 and 0.25): watch it",
            d.score.psi
        ),
        PsiBand::Stable => format!("the score is stable (PSI {:.3} < 0.1)", d.score.psi),
    });
    if !act.is_empty() {
        lines.push(format!("shifted features (PSI > 0.25): {}", act.join(", ")));
    }
    if !watch.is_empty() {
        lines.push(format!(
            "features to watch (PSI 0.1–0.25): {}",
            watch.join(", ")
        ));
    }
    if act.is_empty() && watch.is_empty() {
        lines.push("every feature is stable (PSI < 0.1)".into());
    }
    for f in d.features.iter().filter(|f| f.new_level_share >= 0.01) {
        lines.push(format!(
            "{:.1}% of the new leads have a '{}' never seen in training (scored as other)",
            100.0 * f.new_level_share,
            f.name
        ));
    }
    if let Some((observed, predicted)) = d.conversion {
        lines.push(format!(
            "the new leads converted at {:.1}% against {:.1}% predicted",
            100.0 * observed,
            100.0 * predicted
        ));
    }
    lines
}
