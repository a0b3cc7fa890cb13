//! How the service's scores turned out: the prediction log joined to later
//! conversions by lead id, with live ROC AUC, calibration and conversion per
//! stage for every model version that scored (served or shadow).
//!
//! The join, stated: a lead scored several times by one model version counts
//! once, with its first score (the one sales acted on; `--scores last` takes
//! the latest). An id listed several times in the outcomes counts as
//! converted when any of its rows says so. Logged leads without an id, and
//! ids without an outcome yet, are left out and counted.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Serialize;

use super::metrics::{calibration_table, CalibrationBin, Metrics};
use crate::error::{Error, Result};
use crate::io::values::{clean_text, text_values};
use crate::io::{read_table, ReadOptions};
use crate::log::{read_log, LogTarget, LoggedScore, Role};
use crate::model::stages::Stage;

/// One model version in one role: the unit outcomes are reported per.
type GroupKey = (String, String, Role);

/// Which of a lead's scores counts when a model version scored it more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WhichScore {
    /// The first (what the lead was routed on).
    First,
    /// The latest.
    Last,
}

/// An outcomes request.
#[derive(Debug, Clone)]
pub struct OutcomesJob {
    /// The prediction log.
    pub log: LogTarget,
    /// Later conversions: one row per lead (or more), id and label.
    pub outcomes: PathBuf,
    /// How to read them.
    pub read: ReadOptions,
    /// The id column of the outcomes file (matched to the logged lead id).
    pub id: String,
    /// The label column.
    pub label: String,
    /// The converted value of the label (default: yes/true/1 and the like).
    pub positive: Option<String>,
    /// Which score counts.
    pub scores: WhichScore,
}

/// Conversion in one stage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageOutcome {
    /// The stage the lead was given.
    pub stage: Stage,
    /// Joined leads in it.
    pub leads: usize,
    /// Of them converted.
    pub converted: usize,
    /// Their conversion rate (`None` when empty).
    pub conversion_rate: Option<f64>,
}

/// One model version's live results.
#[derive(Debug, Clone, Serialize)]
pub struct VersionOutcomes {
    /// Model name.
    pub model: String,
    /// Model version.
    pub version: String,
    /// Served or shadow.
    pub role: Role,
    /// First and last time it scored.
    pub logged: (String, String),
    /// Distinct lead ids it scored.
    pub leads: usize,
    /// Of them with an outcome.
    pub joined: usize,
    /// Of those converted.
    pub converted: usize,
    /// Metrics on the joined leads (`None` without any).
    pub metrics: Option<Metrics>,
    /// Reliability table (10 equal-width bins).
    pub calibration: Vec<CalibrationBin>,
    /// Conversion per stage.
    pub stages: Vec<StageOutcome>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Outcomes {
    /// The log, as messages name it.
    pub log: String,
    /// The outcomes file.
    pub outcomes: PathBuf,
    /// Which score counted.
    pub scores: WhichScore,
    /// Logged scores read.
    pub logged_rows: usize,
    /// Logged scores without a lead id (cannot be joined).
    pub logged_without_id: usize,
    /// Outcome rows read.
    pub outcome_rows: usize,
    /// Outcome rows without an id (skipped).
    pub outcome_rows_without_id: usize,
    /// Ids listed more than once in the outcomes.
    pub repeated_outcome_ids: usize,
    /// Of them, ids whose rows disagree (counted as converted).
    pub conflicting_outcome_ids: usize,
    /// Per model version, in the order they first scored.
    pub versions: Vec<VersionOutcomes>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

/// Read the log and the outcomes and join them.
pub fn outcomes(job: &OutcomesJob) -> Result<Outcomes> {
    let logged = read_log(&job.log)?;
    let frame = read_table(&job.outcomes, &job.read)?;
    let labels = crate::schema::label::read_labels(
        &frame,
        &job.outcomes,
        &job.label,
        job.positive.as_deref(),
    )?
    .converted;
    let id_column = frame.column(&job.id).map_err(|_| Error::MissingColumns {
        path: job.outcomes.clone(),
        columns: vec![job.id.clone()],
        available: frame
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    })?;
    let ids = text_values(id_column)?;
    let ids: Vec<Option<&str>> = ids.iter().map(clean_text).collect();
    join(job, &logged, &ids, &labels)
}

/// The join of logged scores and outcomes (`ids[i]` converted `labels[i]`).
pub fn join(
    job: &OutcomesJob,
    logged: &[LoggedScore],
    ids: &[Option<&str>],
    labels: &[bool],
) -> Result<Outcomes> {
    let mut outcome: HashMap<&str, (bool, usize, bool)> = HashMap::new();
    let mut without_id = 0;
    for (id, &converted) in ids.iter().zip(labels) {
        let Some(id) = id else {
            without_id += 1;
            continue;
        };
        let entry = outcome.entry(id).or_insert((converted, 0, false));
        if entry.0 != converted {
            entry.2 = true;
        }
        entry.0 |= converted;
        entry.1 += 1;
    }
    let repeated = outcome.values().filter(|o| o.1 > 1).count();
    let conflicting = outcome.values().filter(|o| o.2).count();
    // Per (model, version, role): each lead id's chosen score, by first appearance.
    let mut groups: Vec<(GroupKey, BTreeMap<String, &LoggedScore>)> = Vec::new();
    let mut index: HashMap<GroupKey, usize> = HashMap::new();
    let mut logged_without_id = 0;
    let mut ordered: Vec<&LoggedScore> = logged.iter().collect();
    ordered.sort_by_key(|s| s.seq);
    for s in ordered {
        let key = (s.model.clone(), s.model_version.clone(), s.role);
        let g = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, BTreeMap::new()));
            groups.len() - 1
        });
        let Some(id) = s
            .lead_id
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
        else {
            logged_without_id += 1;
            continue;
        };
        let slot = groups[g].1.entry(id.to_string()).or_insert(s);
        if job.scores == WhichScore::Last {
            *slot = s;
        }
    }
    let mut versions = Vec::new();
    for ((model, version, role), leads) in groups {
        let stamps: Vec<&str> = logged
            .iter()
            .filter(|s| s.model == model && s.model_version == version && s.role == role)
            .map(|s| s.logged_at.as_str())
            .collect();
        let (mut y, mut p, mut stages) = (Vec::new(), Vec::new(), Vec::new());
        for (id, s) in &leads {
            if let Some(&(converted, _, _)) = outcome.get(id.as_str()) {
                y.push(converted);
                p.push(s.probability);
                stages.push(s.stage);
            }
        }
        let joined = y.len();
        let converted = y.iter().filter(|c| **c).count();
        versions.push(VersionOutcomes {
            model,
            version,
            role,
            logged: (
                stamps
                    .iter()
                    .min()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                stamps
                    .iter()
                    .max()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ),
            leads: leads.len(),
            joined,
            converted,
            metrics: (joined > 0).then(|| Metrics::compute(&y, &p)),
            calibration: calibration_table(&y, &p, 10),
            stages: Stage::ALL
                .iter()
                .map(|&stage| {
                    let (n, c) = stages
                        .iter()
                        .zip(&y)
                        .filter(|(s, _)| **s == stage)
                        .fold((0, 0), |(n, c), (_, &conv)| (n + 1, c + usize::from(conv)));
                    StageOutcome {
                        stage,
                        leads: n,
                        converted: c,
                        conversion_rate: (n > 0).then(|| c as f64 / n as f64),
                    }
                })
                .collect(),
        });
    }
    let mut warnings = Vec::new();
    if logged_without_id > 0 {
        warnings.push(format!(
            "{logged_without_id} logged scores have no lead id and cannot be joined; start leadscore-serve with --log-id FIELD (or train with --id)"
        ));
    }
    if conflicting > 0 {
        warnings.push(format!(
            "{conflicting} ids have both converted and not-converted rows in {}; they count as converted",
            job.outcomes.display()
        ));
    }
    for v in versions.iter().filter(|v| v.joined == 0) {
        warnings.push(format!(
            "{} {} ({}): none of its {} leads has an outcome in {} yet",
            v.model,
            v.version,
            v.role.as_str(),
            v.leads,
            job.outcomes.display()
        ));
    }
    Ok(Outcomes {
        log: job.log.display(),
        outcomes: job.outcomes.clone(),
        scores: job.scores,
        logged_rows: logged.len(),
        logged_without_id,
        outcome_rows: ids.len(),
        outcome_rows_without_id: without_id,
        repeated_outcome_ids: repeated,
        conflicting_outcome_ids: conflicting,
        versions,
        warnings,
    })
}

/// The report as text.
pub fn outcomes_text(out: &mut String, o: &Outcomes) {
    use std::fmt::Write as _;
    for w in &o.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(
        out,
        "{} logged scores in {} ({} without an id); {} outcome rows in {} ({} without an id, {} ids listed more than once); {} score per lead",
        o.logged_rows,
        o.log,
        o.logged_without_id,
        o.outcome_rows,
        o.outcomes.display(),
        o.outcome_rows_without_id,
        o.repeated_outcome_ids,
        match o.scores {
            WhichScore::First => "first",
            WhichScore::Last => "last",
        }
    );
    for v in &o.versions {
        let _ = writeln!(
            out,
            "{} {} ({}), {} to {}: {} leads scored, {} with an outcome, {} converted",
            v.model,
            v.version,
            v.role.as_str(),
            v.logged.0,
            v.logged.1,
            v.leads,
            v.joined,
            v.converted
        );
        if let Some(m) = &v.metrics {
            let _ = writeln!(
                out,
                "  live ROC AUC {:.4}  PR AUC {:.4}  log loss {:.4}  Brier {:.4}",
                m.roc_auc, m.pr_auc, m.log_loss, m.brier
            );
        }
        for s in v.stages.iter().filter(|s| s.leads > 0) {
            let _ = writeln!(
                out,
                "  {:<5} {:>7} leads  {:>6} converted  {:>5.1}%",
                s.stage.as_str(),
                s.leads,
                s.converted,
                100.0 * s.conversion_rate.unwrap_or(0.0)
            );
        }
        if !v.calibration.is_empty() {
            let _ = writeln!(out, "  reliability: predicted -> observed (leads)");
            for b in &v.calibration {
                let _ = writeln!(
                    out,
                    "    {:.1}-{:.1}: {:.3} -> {:.3} ({})",
                    b.lower, b.upper, b.mean_predicted, b.observed_rate, b.count
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(seq: i64, model: &str, id: Option<&str>, p: f64, stage: Stage) -> LoggedScore {
        LoggedScore {
            seq,
            logged_at: format!("2026-12-02T10:00:{seq:02}.000Z"),
            model: model.into(),
            model_version: "v1".into(),
            role: Role::Served,
            lead_id: id.map(String::from),
            probability: p,
            stage,
            points: 0,
        }
    }

    fn job(scores: WhichScore) -> OutcomesJob {
        OutcomesJob {
            log: LogTarget::parse("x.sqlite"),
            outcomes: "o.csv".into(),
            read: ReadOptions::default(),
            id: "lead_id".into(),
            label: "converted".into(),
            positive: None,
            scores,
        }
    }

    #[test]
    fn repeated_and_missing_ids_join_as_stated() {
        let logged = vec![
            score(1, "m", Some("a"), 0.2, Stage::Lead),
            score(2, "m", Some("b"), 0.9, Stage::Sql),
            score(3, "m", Some("a"), 0.8, Stage::Sql), // a again: first counts
            score(4, "m", None, 0.5, Stage::Mql),      // no id
            score(5, "m", Some("c"), 0.4, Stage::Mql), // no outcome yet
        ];
        // b listed twice, once converted: converted. A row without id skipped.
        let ids = [Some("a"), Some("b"), Some("b"), None];
        let labels = [false, false, true, true];
        let o = join(&job(WhichScore::First), &logged, &ids, &labels).expect("join");
        assert_eq!(o.logged_without_id, 1);
        assert_eq!(o.outcome_rows_without_id, 1);
        assert_eq!((o.repeated_outcome_ids, o.conflicting_outcome_ids), (1, 1));
        let v = &o.versions[0];
        assert_eq!((v.leads, v.joined, v.converted), (3, 2, 1));
        let m = v.metrics.expect("metrics");
        // a (0.2, not converted) below b (0.9, converted): AUC 1.
        assert_eq!(m.roc_auc, 1.0);
        let sql = v
            .stages
            .iter()
            .find(|s| s.stage == Stage::Sql)
            .expect("sql");
        assert_eq!((sql.leads, sql.converted), (1, 1));
        let last = join(&job(WhichScore::Last), &logged, &ids, &labels).expect("join");
        // With the last score, a is an SQL (0.8) that did not convert.
        let sql = last.versions[0]
            .stages
            .iter()
            .find(|s| s.stage == Stage::Sql)
            .expect("sql");
        assert_eq!((sql.leads, sql.converted), (2, 1));
    }
}
