//! The `points` job as one call: read the labelled leads and the hand-set
//! scheme, decide which label and which points scale apply, compare, and
//! write the suggested scheme (CSV) and the HTML report when asked.

use std::path::PathBuf;

use super::compare::{compare, PointsComparison};
use super::rules::PointsScheme;
use super::scale::{ScorecardScale, DEFAULT_PDO};
use crate::error::{Error, Result};
use crate::io::write::write_atomically;
use crate::io::{read_table, ReadOptions};
use crate::model::{artifact, Model};
use crate::report::render_points;
use crate::schema::label::read_labels;
use crate::score::batch::score_labelled;

/// Which points scale the comparison uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScaleChoice {
    /// The model's scorecard scale when it has one, else the default scale.
    ModelOrDefault,
    /// Exactly these settings; anything not given takes its default. An
    /// explicit value wins over the model's scale even when it equals the
    /// default.
    Given {
        /// Points to double the odds.
        pdo: Option<f64>,
        /// Base score …
        base_score: Option<f64>,
        /// … at these odds.
        base_odds: Option<f64>,
    },
    /// Put the hand-set MQL threshold at the model's MQL cut-off (needs a model).
    Anchored {
        /// Points to double the odds (default 20).
        pdo: Option<f64>,
    },
}

impl ScaleChoice {
    /// The choice the settings make: anchoring when asked, the given values
    /// when any is given (even one equal to its default), else the model's.
    pub fn from_settings(
        anchor: bool,
        pdo: Option<f64>,
        base_score: Option<f64>,
        base_odds: Option<f64>,
    ) -> ScaleChoice {
        match (anchor, pdo, base_score, base_odds) {
            (true, pdo, _, _) => ScaleChoice::Anchored { pdo },
            (false, None, None, None) => ScaleChoice::ModelOrDefault,
            (false, pdo, base_score, base_odds) => ScaleChoice::Given {
                pdo,
                base_score,
                base_odds,
            },
        }
    }
}

/// A request to compare a hand-set points scheme with the evidence.
#[derive(Debug, Clone)]
pub struct PointsJob {
    /// Labelled leads.
    pub data: PathBuf,
    /// How to read them.
    pub read: ReadOptions,
    /// The hand-set scheme (`points.toml`).
    pub points: PathBuf,
    /// A trained model to compare with.
    pub model: Option<PathBuf>,
    /// Label column (default: the model's).
    pub label: Option<String>,
    /// Label value meaning converted (default: the model's, or yes/true/1).
    pub positive: Option<String>,
    /// The points scale.
    pub scale: ScaleChoice,
    /// Where to write the suggested scheme as CSV (`rule,points`).
    pub csv: Option<PathBuf>,
    /// Where to write the HTML report.
    pub report: Option<PathBuf>,
}

/// What a points job produced.
pub struct PointsOutcome {
    /// The hand-set scheme.
    pub scheme: PointsScheme,
    /// The comparison.
    pub comparison: PointsComparison,
}

/// Run a points job.
pub fn run(job: &PointsJob) -> Result<PointsOutcome> {
    let scheme = PointsScheme::from_file(&job.points)?;
    let frame = read_table(&job.data, &job.read)?;
    let model = job.model.as_deref().map(artifact::load).transpose()?;
    let (label, positive) = match (&job.label, &model) {
        (Some(label), _) => (label.clone(), job.positive.clone()),
        (None, Some(m)) => (m.schema().label.clone(), Some(m.schema().positive.clone())),
        (None, None) => {
            return Err(Error::InvalidArgument {
                name: "label".into(),
                message: "name the label column, or give a model to take it from".into(),
            })
        }
    };
    let labels = read_labels(&frame, &job.data, &label, positive.as_deref())?.converted;
    let probabilities = match &model {
        Some(m) => Some(score_labelled(m, &frame, &job.data)?.1),
        None => None,
    };
    let scale = resolve_scale(job.scale, model.as_ref(), &scheme)?;
    let comparison = compare(
        &frame,
        &job.points,
        &scheme,
        &labels,
        model.as_ref().zip(probabilities.as_deref()),
        &scale,
    )?;
    if let Some(csv) = &job.csv {
        write_atomically(csv, suggested_csv(&comparison).as_bytes())?;
    }
    if let Some(report) = &job.report {
        let html = render_points(&comparison, &scheme)?;
        write_atomically(report, html.as_bytes())?;
    }
    Ok(PointsOutcome { scheme, comparison })
}

/// The scale a choice gives with this model and scheme.
fn resolve_scale(
    choice: ScaleChoice,
    model: Option<&Model>,
    scheme: &PointsScheme,
) -> Result<ScorecardScale> {
    let defaults = ScorecardScale::default();
    match (choice, model) {
        (ScaleChoice::Anchored { pdo }, Some(m)) => {
            ScorecardScale::anchored(pdo.unwrap_or(DEFAULT_PDO), scheme.mql, m.cutoffs().mql())
        }
        (ScaleChoice::Anchored { .. }, None) => Err(Error::InvalidArgument {
            name: "anchor".into(),
            message: "anchoring to the model's MQL cut-off needs a model".into(),
        }),
        (ScaleChoice::ModelOrDefault, m) => Ok(m
            .and_then(|m| m.points_scale().scorecard())
            .unwrap_or(defaults)),
        (
            ScaleChoice::Given {
                pdo,
                base_score,
                base_odds,
            },
            _,
        ) => ScorecardScale::new(
            pdo.unwrap_or(defaults.pdo()),
            base_score.unwrap_or(defaults.base_score()),
            base_odds.unwrap_or(defaults.base_odds()),
        ),
    }
}

/// The suggested scheme as CSV: `rule,points`, rule names quoted.
fn suggested_csv(comparison: &PointsComparison) -> String {
    let mut text = String::from("rule,points\n");
    for (rule, points) in &comparison.suggested.rules {
        text.push_str(&format!("\"{}\",{points}\n", rule.replace('"', "\"\"")));
    }
    text
}

impl PointsOutcome {
    /// The comparison as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        super::text::points_text(&mut out, &self.comparison, &self.scheme);
        out
    }
}
