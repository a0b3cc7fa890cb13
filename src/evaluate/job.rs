//! The judging jobs as single calls: score labelled leads with a saved model,
//! then evaluate them (with the HTML report), re-set the cut-offs by policy,
//! or backtest. The CLI prints what they return.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use super::backtest::{backtest, BacktestRow, Every};
use super::cutoffs::{arrival_rate, choose_cutoffs};
use super::evaluation::{evaluate, Evaluation};
use super::policy::CutoffPolicy;
use crate::error::Result;
use crate::io::dates::read_dates;
use crate::io::write::write_atomically;
use crate::io::{read_table, ReadOptions};
use crate::model::{artifact, Model};
use crate::progress::Progress;
use crate::report::{render, ReportInput};
use crate::score::batch::score_labelled;
use crate::train::TrainConfig;

/// A model and the labelled leads it scored.
pub struct Scored {
    /// The model.
    pub model: Model,
    /// The leads as read.
    pub frame: DataFrame,
    /// Converted or not, per lead.
    pub labels: Vec<bool>,
    /// The model's probability per lead.
    pub probabilities: Vec<f64>,
}

/// Load a model and score a labelled file with it.
pub fn load_and_score(model: &Path, data: &Path, read: &ReadOptions) -> Result<Scored> {
    let model = artifact::load(model)?;
    let frame = read_table(data, read)?;
    let (labels, probabilities) = score_labelled(&model, &frame, data)?;
    Ok(Scored {
        model,
        frame,
        labels,
        probabilities,
    })
}

/// The evaluation of a saved model on labelled leads, and the report written.
pub struct EvaluateOutcome {
    /// The model evaluated.
    pub model: Model,
    /// The evaluation.
    pub evaluation: Evaluation,
    /// The HTML report written, if asked for.
    pub report_path: Option<PathBuf>,
}

/// Evaluate `model` on the labelled leads in `data`; write the HTML report to
/// `report` when given.
pub fn evaluate_file(
    model: &Path,
    data: &Path,
    read: &ReadOptions,
    report: Option<&Path>,
) -> Result<EvaluateOutcome> {
    let Scored {
        model,
        labels,
        probabilities,
        ..
    } = load_and_score(model, data, read)?;
    let mut evaluation = evaluate(
        &labels,
        &probabilities,
        model.cutoffs(),
        model.points_scale(),
    );
    if crate::io::sha256_file(data)? == model.training().data_sha256 {
        evaluation.warnings.push(format!(
            "{} is the file this model was trained on (same SHA-256): these figures include the training leads and overstate how well it ranks new leads; the holdout figures in `leadscore inspect` are the honest ones",
            data.display()
        ));
    }
    if let Some(report) = report {
        let html = render(&ReportInput {
            title: format!("leadscore: {} on {}", model.name(), data.display()),
            subject: format!("{} leads from {}", labels.len(), data.display()),
            model: &model,
            evaluation: &evaluation,
            labels: &labels,
            probabilities: &probabilities,
        })?;
        write_atomically(report, html.as_bytes())?;
    }
    Ok(EvaluateOutcome {
        model,
        evaluation,
        report_path: report.map(Path::to_path_buf),
    })
}

/// A request to re-set a model's cut-offs by policy on labelled leads.
#[derive(Debug, Clone)]
pub struct CutoffsJob {
    /// The model to start from.
    pub model: PathBuf,
    /// Labelled leads to choose the cut-offs on.
    pub data: PathBuf,
    /// How to read them.
    pub read: ReadOptions,
    /// MQL policy.
    pub mql: CutoffPolicy,
    /// SQL policy.
    pub sql: CutoffPolicy,
    /// Date column for capacity policies (default: the model's).
    pub date: Option<String>,
    /// Where the model with the new cut-offs goes.
    pub out: PathBuf,
}

/// Re-set the cut-offs and save the updated model; returns it.
pub fn recut(job: &CutoffsJob) -> Result<Model> {
    let Scored {
        model,
        frame,
        labels,
        probabilities,
    } = load_and_score(&job.model, &job.data, &job.read)?;
    let date_column = job.date.clone().or_else(|| model.schema().date.clone());
    let rate = match &date_column {
        Some(column) if frame.column(column).is_ok() => {
            arrival_rate(Some(&read_dates(&frame, &job.data, column)?))
        }
        _ => None,
    };
    let chosen_on = format!(
        "{} ({} leads)",
        job.data
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        labels.len()
    );
    let (cutoffs, choice) = choose_cutoffs(
        job.mql,
        job.sql,
        &labels,
        &probabilities,
        rate,
        chosen_on,
        &model.points_scale(),
    )?;
    let updated = model.with_cutoffs(cutoffs, choice);
    artifact::save(&updated, &job.out)?;
    Ok(updated)
}

/// Read `data` and run the rolling-origin backtest on it.
pub fn backtest_file(
    data: &Path,
    read: &ReadOptions,
    config: &TrainConfig,
    every: Every,
    min_train_rows: usize,
    progress: &dyn Progress,
) -> Result<Vec<BacktestRow>> {
    let frame = read_table(data, read)?;
    backtest(&frame, data, config, every, min_train_rows, progress)
}
