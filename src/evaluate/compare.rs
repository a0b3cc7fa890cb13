//! Two models on the same leads: is the challenger better or only different?
//! Metrics of each, DeLong's test of the AUC difference and a paired
//! bootstrap of the log-loss difference (labelled leads only), the stage
//! migration matrix, the change in MQL and SQL volumes, the leads whose stage
//! moves most with their reasons under each model, and a verdict in words.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use serde::Serialize;

use super::delong::{delong_paired, paired_bootstrap, PairedAuc, PairedInterval};
use super::metrics::Metrics;
use crate::encode::FeatureColumn;
use crate::error::{Error, Result};
use crate::io::values::{text_values, Origin};
use crate::io::{read_table, ReadOptions};
use crate::model::stages::Stage;
use crate::model::{artifact, LeadScore, Model};
use crate::score::batch::{feature_columns, score_frame};
use crate::score::reasons::{explain, Reason};

/// p-values below this count as evidence of a difference.
pub const SIGNIFICANCE: f64 = 0.05;
/// Bootstrap resamples of the log-loss difference.
pub const RESAMPLES: usize = 2000;
/// Seed of the bootstrap (fixed, so a comparison reproduces).
pub const SEED: u64 = 20_261_202;

/// A comparison request.
#[derive(Debug, Clone)]
pub struct CompareJob {
    /// The model in production (A).
    pub model_a: PathBuf,
    /// The challenger (B).
    pub model_b: PathBuf,
    /// Leads both score, labelled or not.
    pub data: PathBuf,
    /// How to read them.
    pub read: ReadOptions,
    /// How many stage movers to list.
    pub movers: usize,
    /// Write the HTML report here.
    pub report: Option<PathBuf>,
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// `A` or `B`.
    pub role: &'static str,
    /// The model file.
    pub file: PathBuf,
    /// The model's name.
    pub name: String,
    /// First 12 hex digits of the file's SHA-256 (as the service reports it).
    pub version: String,
    /// When it was trained.
    pub trained_at: String,
    /// Metrics on the leads (labelled leads only).
    pub metrics: Option<Metrics>,
    /// Leads per stage: lead, MQL, SQL.
    pub stages: [usize; 3],
}

/// One cell of the migration matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MigrationCell {
    /// Stage under A.
    pub from: Stage,
    /// Stage under B.
    pub to: Stage,
    /// Leads.
    pub leads: usize,
    /// Of them converted (labelled leads only).
    pub converted: Option<usize>,
    /// Their conversion rate (labelled, non-empty cells only).
    pub conversion_rate: Option<f64>,
}

/// A volume under A and under B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VolumeChange {
    /// Leads under A.
    pub a: usize,
    /// Leads under B.
    pub b: usize,
    /// `b − a`.
    pub change: i64,
    /// Of them converted under A and B (labelled leads only).
    pub converted: Option<(usize, usize)>,
}

/// A lead whose stage changes.
#[derive(Debug, Clone, Serialize)]
pub struct Mover {
    /// Data row (1-based, after the header).
    pub row: usize,
    /// The lead's id (A's id column, when the file has it).
    pub id: Option<String>,
    /// Score under A.
    pub a: LeadScore,
    /// Score under B.
    pub b: LeadScore,
    /// Converted, when labelled.
    pub converted: Option<bool>,
    /// Top reasons under A (`+25 demo_requested = yes`).
    pub reasons_a: Vec<String>,
    /// Top reasons under B.
    pub reasons_b: Vec<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The leads' file.
    pub data: PathBuf,
    /// Leads scored by both.
    pub leads: usize,
    /// A's label column.
    pub label: String,
    /// Whether the file carries it.
    pub labelled: bool,
    /// Converted leads (labelled only).
    pub converted: Option<usize>,
    /// A then B.
    pub models: [Side; 2],
    /// DeLong's test of AUC(B) − AUC(A).
    pub roc_auc: Option<PairedAuc>,
    /// Paired bootstrap of log loss(B) − log loss(A) (negative: B fits better).
    pub log_loss: Option<PairedInterval>,
    /// Paired bootstrap of Brier(B) − Brier(A).
    pub brier: Option<PairedInterval>,
    /// Every (stage under A, stage under B) pair, A's stage major.
    pub migration: Vec<MigrationCell>,
    /// Leads at MQL or above.
    pub mql_or_above: VolumeChange,
    /// Leads at SQL.
    pub sql: VolumeChange,
    /// Leads that change stage.
    pub changed_stage: usize,
    /// The leads whose stage moves most (by stages moved, then points).
    pub movers: Vec<Mover>,
    /// The verdict, one sentence per question.
    pub verdict: Vec<String>,
    /// Things worth knowing about the comparison itself.
    pub warnings: Vec<String>,
}

/// Load both models, score `data` with each and compare them.
pub fn compare_files(job: &CompareJob) -> Result<(Comparison, [Model; 2])> {
    let load = |path: &Path| artifact::load_with_digest(path);
    let (a, digest_a) = load(&job.model_a)?;
    let (b, digest_b) = load(&job.model_b)?;
    let frame = read_table(&job.data, &job.read)?;
    let sides = [(&a, &job.model_a, digest_a), (&b, &job.model_b, digest_b)];
    let comparison = compare(&sides, &frame, &job.data, job.movers)?;
    if let Some(report) = &job.report {
        let roc = comparison_roc(&a, &b, &frame, &job.data)?;
        let html = crate::report::render_comparison(&comparison, roc.as_ref())?;
        crate::io::write::write_atomically(report, html.as_bytes())?;
    }
    Ok((comparison, [a, b]))
}

/// Both ROC curves on labelled leads (for the report); `None` unlabelled.
/// The ROC curves of model A and model B, in that order.
type RocPair = [Vec<(f64, f64)>; 2];

fn comparison_roc(a: &Model, b: &Model, frame: &DataFrame, path: &Path) -> Result<Option<RocPair>> {
    if frame.column(&a.schema().label).is_err() {
        return Ok(None);
    }
    let (y, pa) = crate::score::batch::score_labelled(a, frame, path)?;
    let origin = Origin {
        path,
        rows_before: 0,
    };
    let pb: Vec<f64> = score_frame(b, frame, origin)?
        .scores
        .iter()
        .map(|s| s.probability)
        .collect();
    Ok(Some([
        super::metrics::roc_curve(&y, &pa),
        super::metrics::roc_curve(&y, &pb),
    ]))
}

/// Compare two models on one frame (`path` names it in messages).
pub fn compare(
    models: &[(&Model, &PathBuf, String); 2],
    frame: &DataFrame,
    path: &Path,
    movers: usize,
) -> Result<Comparison> {
    let origin = Origin {
        path,
        rows_before: 0,
    };
    let [(a, file_a, digest_a), (b, file_b, digest_b)] = models;
    let label = &a.schema().label;
    let labels = if frame.column(label).is_ok() {
        Some(
            crate::schema::label::read_labels(frame, path, label, Some(&a.schema().positive))?
                .converted,
        )
    } else {
        None
    };
    let scores_a = score_frame(a, frame, origin)?.scores;
    let scores_b = score_frame(b, frame, origin)?.scores;
    let pa: Vec<f64> = scores_a.iter().map(|s| s.probability).collect();
    let pb: Vec<f64> = scores_b.iter().map(|s| s.probability).collect();
    let side = |role, model: &Model, file: &PathBuf, digest: &str, scores: &[LeadScore]| {
        let probabilities: Vec<f64> = scores.iter().map(|s| s.probability).collect();
        Side {
            role,
            file: file.clone(),
            name: model.name().to_string(),
            version: digest.chars().take(12).collect(),
            trained_at: model.trained_at().to_string(),
            metrics: labels.as_ref().map(|y| Metrics::compute(y, &probabilities)),
            stages: stage_counts(scores),
        }
    };
    let sides = [
        side("A", a, file_a, digest_a, &scores_a),
        side("B", b, file_b, digest_b, &scores_b),
    ];
    let mut warnings = Vec::new();
    for (model, role) in [(a, "A"), (b, "B")] {
        if crate::io::sha256_file(path)? == model.training().data_sha256 {
            warnings.push(format!(
                "{} is the file model {role} was trained on: its figures include its own training leads and favour it",
                path.display()
            ));
        }
    }
    if b.schema().label != a.schema().label && labels.is_some() {
        warnings.push(format!(
            "the models name different labels ('{}' and '{}'); '{}' (model A's) was used",
            a.schema().label,
            b.schema().label,
            a.schema().label
        ));
    }
    let (roc_auc, log_loss, brier) = match &labels {
        Some(y) => {
            let loss = |p: &[f64]| per_lead(y, p, |y, p| -log_likelihood(y, p));
            let squared = |p: &[f64]| per_lead(y, p, |y, p| (p - f64::from(u8::from(y))).powi(2));
            let diff = |x: Vec<f64>, z: Vec<f64>| -> Vec<f64> {
                z.iter().zip(&x).map(|(b, a)| b - a).collect()
            };
            (
                delong_paired(y, &pa, &pb),
                Some(paired_bootstrap(
                    &diff(loss(&pa), loss(&pb)),
                    RESAMPLES,
                    SEED,
                )),
                Some(paired_bootstrap(
                    &diff(squared(&pa), squared(&pb)),
                    RESAMPLES,
                    SEED,
                )),
            )
        }
        None => (None, None, None),
    };
    let migration = migration(&scores_a, &scores_b, labels.as_deref());
    let volume = |at: Stage| {
        let count = |s: &[LeadScore]| s.iter().filter(|s| s.stage >= at).count();
        let converted = |s: &[LeadScore], y: &[bool]| {
            s.iter()
                .zip(y)
                .filter(|(s, y)| s.stage >= at && **y)
                .count()
        };
        let (na, nb) = (count(&scores_a), count(&scores_b));
        VolumeChange {
            a: na,
            b: nb,
            change: nb as i64 - na as i64,
            converted: labels
                .as_ref()
                .map(|y| (converted(&scores_a, y), converted(&scores_b, y))),
        }
    };
    let changed_stage = scores_a
        .iter()
        .zip(&scores_b)
        .filter(|(x, z)| x.stage != z.stage)
        .count();
    let movers = top_movers(
        [a, b],
        frame,
        origin,
        [&scores_a, &scores_b],
        labels.as_deref(),
        movers,
    )?;
    let mut comparison = Comparison {
        data: path.to_path_buf(),
        leads: frame.height(),
        label: label.clone(),
        labelled: labels.is_some(),
        converted: labels.as_ref().map(|y| y.iter().filter(|c| **c).count()),
        models: sides,
        roc_auc,
        log_loss,
        brier,
        migration,
        mql_or_above: volume(Stage::Mql),
        sql: volume(Stage::Sql),
        changed_stage,
        movers,
        verdict: Vec::new(),
        warnings,
    };
    comparison.verdict = verdict(&comparison);
    Ok(comparison)
}

fn log_likelihood(y: bool, p: f64) -> f64 {
    let p = p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
    if y {
        p.ln()
    } else {
        (1.0 - p).ln()
    }
}

fn per_lead(y: &[bool], p: &[f64], f: impl Fn(bool, f64) -> f64) -> Vec<f64> {
    y.iter().zip(p).map(|(&y, &p)| f(y, p)).collect()
}

fn stage_counts(scores: &[LeadScore]) -> [usize; 3] {
    let mut counts = [0; 3];
    for s in scores {
        counts[s.stage as usize] += 1;
    }
    counts
}

/// The 3 × 3 migration matrix, A's stage major.
pub fn migration(a: &[LeadScore], b: &[LeadScore], labels: Option<&[bool]>) -> Vec<MigrationCell> {
    let mut leads = [[0usize; 3]; 3];
    let mut converted = [[0usize; 3]; 3];
    for (k, (x, z)) in a.iter().zip(b).enumerate() {
        leads[x.stage as usize][z.stage as usize] += 1;
        if labels.is_some_and(|y| y[k]) {
            converted[x.stage as usize][z.stage as usize] += 1;
        }
    }
    let mut cells = Vec::with_capacity(9);
    for from in Stage::ALL {
        for to in Stage::ALL {
            let (n, c) = (
                leads[from as usize][to as usize],
                converted[from as usize][to as usize],
            );
            cells.push(MigrationCell {
                from,
                to,
                leads: n,
                converted: labels.map(|_| c),
                conversion_rate: labels.filter(|_| n > 0).map(|_| c as f64 / n as f64),
            });
        }
    }
    cells
}

/// The leads whose stage moves most, with their reasons under each model.
fn top_movers(
    models: [&Model; 2],
    frame: &DataFrame,
    origin: Origin<'_>,
    scores: [&[LeadScore]; 2],
    labels: Option<&[bool]>,
    limit: usize,
) -> Result<Vec<Mover>> {
    let mut moved: Vec<usize> = (0..frame.height())
        .filter(|&k| scores[0][k].stage != scores[1][k].stage)
        .collect();
    let steps = |k: usize| (scores[1][k].stage as i64 - scores[0][k].stage as i64).abs();
    let points = |k: usize| (scores[1][k].points - scores[0][k].points).abs();
    moved.sort_by(|&x, &z| {
        steps(z)
            .cmp(&steps(x))
            .then(points(z).cmp(&points(x)))
            .then(x.cmp(&z))
    });
    moved.truncate(limit);
    if moved.is_empty() {
        return Ok(Vec::new());
    }
    let ids = models[0]
        .schema()
        .id
        .as_ref()
        .and_then(|id| frame.column(id).ok())
        .map(text_values)
        .transpose()?;
    let columns = [
        feature_columns(models[0], frame, origin)?,
        feature_columns(models[1], frame, origin)?,
    ];
    let reasons = |m: usize, k: usize| reason_lines(models[m], &columns[m], k);
    moved
        .into_iter()
        .map(|k| {
            Ok(Mover {
                row: origin.row(k),
                id: ids
                    .as_ref()
                    .and_then(|ids| ids.get(k))
                    .map(|s| s.trim().to_string()),
                a: scores[0][k],
                b: scores[1][k],
                converted: labels.map(|y| y[k]),
                reasons_a: reasons(0, k)?,
                reasons_b: reasons(1, k)?,
            })
        })
        .collect()
}

/// A lead's top reasons up then down, as `+25 demo_requested = yes`.
fn reason_lines(model: &Model, columns: &[FeatureColumn], row: usize) -> Result<Vec<String>> {
    let values: Vec<_> = columns.iter().map(|c| c.raw(row)).collect();
    let scale = model.points_scale().scorecard().unwrap_or_default();
    match explain(model, &values, &scale) {
        Ok(e) => Ok(e
            .up
            .iter()
            .chain(&e.down)
            .map(|r: &Reason| format!("{:+.0} {}", r.points, r.label))
            .collect()),
        // An old model without term means: no reasons, the comparison stands.
        Err(crate::score::reasons::ReasonError::NoTermMeans) => Ok(Vec::new()),
        Err(e) => Err(Error::InvalidArgument {
            name: "data".into(),
            message: format!("row {}: {e}", row + 1),
        }),
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.4}")
    }
}

/// The verdict in words: ranking (DeLong), fit of the probabilities
/// (log loss) and what switching does to the volumes.
pub fn verdict(c: &Comparison) -> Vec<String> {
    let mut lines = Vec::new();
    let [a, b] = &c.models;
    match (&c.roc_auc, c.labelled) {
        (Some(t), _) => {
            let better_b = t.difference > 0.0;
            if t.p_value < SIGNIFICANCE {
                let (winner, loser) = if better_b { (b, a) } else { (a, b) };
                let (d, lo, hi) = if better_b {
                    (t.difference, t.ci95.0, t.ci95.1)
                } else {
                    (-t.difference, -t.ci95.1, -t.ci95.0)
                };
                lines.push(format!(
                    "{} ranks better than {} (ΔAUC {d:+.4}, 95% CI {lo:.4} to {hi:.4}, {})",
                    winner.role,
                    loser.role,
                    p_text(t.p_value)
                ));
            } else {
                lines.push(format!(
                    "no evidence of a difference in ranking (ΔAUC B − A {:+.4}, 95% CI {:.4} to {:.4}, {})",
                    t.difference,
                    t.ci95.0,
                    t.ci95.1,
                    p_text(t.p_value)
                ));
            }
        }
        (None, true) => lines
            .push("ranking cannot be compared: the leads hold fewer than two of one class".into()),
        (None, false) => lines.push(format!(
            "{} has no '{}' column: only the migrations and volumes are compared",
            c.data.display(),
            c.label
        )),
    }
    if let Some(l) = &c.log_loss {
        if l.ci95.1 < 0.0 {
            lines.push(format!(
                "B's probabilities fit better (Δ log loss {:+.4}, 95% CI {:.4} to {:.4})",
                l.difference, l.ci95.0, l.ci95.1
            ));
        } else if l.ci95.0 > 0.0 {
            lines.push(format!(
                "A's probabilities fit better (Δ log loss B − A {:+.4}, 95% CI {:.4} to {:.4})",
                l.difference, l.ci95.0, l.ci95.1
            ));
        } else {
            lines.push(format!(
                "no evidence of a difference in log loss (B − A {:+.4}, 95% CI {:.4} to {:.4})",
                l.difference, l.ci95.0, l.ci95.1
            ));
        }
    }
    let volume = |name: &str, v: &VolumeChange| {
        let share = if v.a > 0 {
            format!(" ({:+.0}%)", 100.0 * v.change as f64 / v.a as f64)
        } else {
            String::new()
        };
        format!("{name} {} → {}{share}", v.a, v.b)
    };
    lines.push(format!(
        "switching to B moves {} of {} leads to another stage: {}, {}",
        c.changed_stage,
        c.leads,
        volume("MQL or above", &c.mql_or_above),
        volume("SQL", &c.sql)
    ));
    lines
}
