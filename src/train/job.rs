//! The `train` job as one call: read the table, train, save the model
//! atomically, write the HTML report when asked. The CLI, a notebook or a
//! service calls the same function.

use std::path::PathBuf;

use super::{train, TrainConfig, Trained};
use crate::error::Result;
use crate::io::write::write_atomically;
use crate::io::{read_table, ReadOptions};
use crate::model::artifact;
use crate::progress::{Phase, Progress};
use crate::report::{render, ReportInput};

/// Where the trained model goes.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelDestination {
    /// Exactly this file.
    File(PathBuf),
    /// `DIR/<name>-<UTC timestamp>.json`.
    Dir(PathBuf),
}

impl ModelDestination {
    fn path_for(&self, name: &str) -> PathBuf {
        match self {
            ModelDestination::File(path) => path.clone(),
            ModelDestination::Dir(dir) => {
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
                dir.join(format!("{name}-{stamp}.json"))
            }
        }
    }
}

/// A checked request to train a model on a file.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// Past leads (CSV or Parquet).
    pub data: PathBuf,
    /// How to read them.
    pub read: ReadOptions,
    /// Checked training configuration.
    pub config: TrainConfig,
    /// Where the model goes.
    pub destination: ModelDestination,
    /// Where the HTML report of the holdout goes, if wanted.
    pub report: Option<PathBuf>,
}

/// What a training job produced.
pub struct TrainOutcome {
    /// The model and its holdout evaluation.
    pub trained: Trained,
    /// The model file written.
    pub model_path: PathBuf,
    /// The report written, if any.
    pub report_path: Option<PathBuf>,
}

/// Run a training job.
pub fn run(job: &TrainJob, progress: &dyn Progress) -> Result<TrainOutcome> {
    let frame = {
        let _phase = Phase::start(progress, &format!("reading {}", job.data.display()), 0);
        read_table(&job.data, &job.read)?
    };
    let trained = train(&frame, &job.data, &job.config, progress)?;
    let model = &trained.model;
    let model_path = job.destination.path_for(model.name());
    artifact::save(model, &model_path)?;
    if let Some(report) = &job.report {
        let html = render(&ReportInput {
            title: format!("leadscore: {}", model.name()),
            subject: format!(
                "Holdout of {} ({} leads, {} split)",
                model.training().data_file,
                trained.holdout_labels.len(),
                model.holdout().split
            ),
            model,
            evaluation: &trained.holdout,
            labels: &trained.holdout_labels,
            probabilities: &trained.holdout_probabilities,
        })?;
        write_atomically(report, html.as_bytes())?;
    }
    Ok(TrainOutcome {
        trained,
        model_path,
        report_path: job.report.clone(),
    })
}

impl TrainOutcome {
    /// The machine-readable summary.
    pub fn summary(&self) -> super::summary::TrainSummary<'_> {
        super::summary::train_summary(&self.trained.model, &self.trained.holdout, &self.model_path)
    }

    /// The summary as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        super::summary::train_text(
            &mut out,
            &self.trained.model,
            &self.trained.holdout,
            &self.model_path,
        );
        if let Some(report) = &self.report_path {
            out.push_str(&format!("report    {}\n", report.display()));
        }
        out
    }
}
