//! Hand-set points next to the learned model, in the manager's units: how
//! each scheme ranks past leads, the evidence per rule, a suggested integer
//! scheme, and the whole model read as a points sheet.

use std::path::Path;

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::evaluate::evaluation::BOOTSTRAP_RESAMPLES;
use crate::evaluate::metrics::{roc_auc, roc_auc_bootstrap};
use crate::evaluate::policy::{
    outcome, resolve, CutoffOutcome, DEFAULT_MQL_POLICY, DEFAULT_SQL_POLICY,
};
use crate::model::Model;
use crate::points::rules::{
    evaluate_rules, hand_set_scores, judge_rules, suggested_scores, suggested_threshold,
    PointsScheme, RuleReport,
};
use crate::points::ScorecardScale;

/// How one scheme ranks the leads and what its thresholds give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemeRanking {
    /// ROC AUC of the scheme's score.
    pub roc_auc: f64,
    /// 95% bootstrap interval.
    pub roc_auc_ci95: (f64, f64),
    /// Leads at or above the MQL threshold (cut-off in the scheme's own units).
    pub mql: CutoffOutcome,
    /// Leads at or above the SQL threshold.
    pub sql: CutoffOutcome,
}

fn ranking(labels: &[bool], scores: &[f64], mql: f64, sql: f64) -> SchemeRanking {
    SchemeRanking {
        roc_auc: roc_auc(labels, scores),
        roc_auc_ci95: roc_auc_bootstrap(
            labels,
            scores,
            BOOTSTRAP_RESAMPLES,
            0.95,
            crate::evaluate::evaluation::BOOTSTRAP_SEED,
        ),
        mql: outcome(labels, scores, mql),
        sql: outcome(labels, scores, sql),
    }
}

/// One line of the whole-model points sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardRow {
    /// Term, e.g. `industry=software` or `website_visits`.
    pub term: String,
    /// Points of the term (per level; per standard deviation for numeric terms).
    pub points: f64,
    /// For numeric terms: points per raw unit (per unit of ln(1 + x) when log-transformed).
    pub points_per_raw_unit: Option<f64>,
}

/// The suggested scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedScheme {
    /// Rule name and integer points.
    pub rules: Vec<(String, i64)>,
    /// MQL threshold in points.
    pub mql: i64,
    /// SQL threshold in points.
    pub sql: i64,
    /// Which probability cut-offs the thresholds aim at, and where from.
    pub thresholds_from: String,
    /// Whether the thresholds do reproduce them: false when the rules cannot
    /// separate the leads (MQL or SQL admits every lead, or none, where the
    /// cut-offs they aim at do not).
    pub reproduces: bool,
    /// How it ranks the same leads.
    pub ranking: SchemeRanking,
}

/// Everything `leadscore points` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsComparison {
    /// The points scale used.
    pub scale: ScorecardScale,
    /// Leads compared.
    pub leads: usize,
    /// Converted leads.
    pub converted: usize,
    /// The hand-set scheme at its own thresholds.
    pub hand_set: SchemeRanking,
    /// The learned model at its cut-offs, on the same leads (with `--model`).
    pub model: Option<SchemeRanking>,
    /// Evidence per rule.
    pub rules: RuleReport,
    /// The suggested scheme.
    pub suggested: SuggestedScheme,
    /// The whole model as a points sheet (with `--model`).
    pub scorecard: Vec<ScorecardRow>,
}

/// Compare a hand-set scheme with the evidence on labelled leads.
pub fn compare(
    df: &DataFrame,
    path: &Path,
    scheme: &PointsScheme,
    labels: &[bool],
    model: Option<(&Model, &[f64])>,
    scale: &ScorecardScale,
) -> Result<PointsComparison> {
    let n = labels.len();
    let hits = evaluate_rules(df, scheme, path)?;
    let hand = hand_set_scores(scheme, &hits, n);
    let report = judge_rules(scheme, &hits, labels, scale)?;
    let fitted_probabilities: Vec<f64> = {
        let mut p = Vec::with_capacity(n);
        for i in 0..n {
            let z = report.intercept
                + report
                    .rules
                    .iter()
                    .zip(&hits)
                    .filter(|(_, h)| h[i])
                    .filter_map(|(r, _)| r.learned_multiplier.map(f64::ln))
                    .sum::<f64>();
            p.push(crate::encode::sigmoid(z));
        }
        p
    };
    let (mql_p, sql_p, thresholds_from) = match model {
        Some((m, _)) => (
            m.cutoffs().mql(),
            m.cutoffs().sql(),
            format!(
                "the model's cut-offs p >= {:.4} and {:.4}",
                m.cutoffs().mql(),
                m.cutoffs().sql()
            ),
        ),
        None => {
            let mql = resolve(DEFAULT_MQL_POLICY, labels, &fitted_probabilities, None)?;
            let sql = resolve(DEFAULT_SQL_POLICY, labels, &fitted_probabilities, None)?;
            (
                mql,
                sql,
                "the top 30% / top 10% of leads under the rule refit".to_string(),
            )
        }
    };
    let suggested_mql = suggested_threshold(&report, scale, mql_p);
    let suggested_sql = suggested_threshold(&report, scale, sql_p);
    let suggested = suggested_scores(&report, &hits, n);
    let suggested_ranking = ranking(
        labels,
        &suggested,
        suggested_mql as f64,
        suggested_sql as f64,
    );
    // The share of leads each threshold aims at: the model's stages, or the
    // default policies' nominal shares (ties in the rule refit may give more).
    let (aimed_mql, aimed_sql) = match model {
        Some((_, probabilities)) => (
            outcome(labels, probabilities, mql_p).share,
            outcome(labels, probabilities, sql_p).share,
        ),
        None => (
            DEFAULT_MQL_POLICY.top_share().unwrap_or(0.3),
            DEFAULT_SQL_POLICY.top_share().unwrap_or(0.1),
        ),
    };
    let degenerate =
        |share: f64, aimed: f64| (share >= 1.0 && aimed < 1.0) || (share <= 0.0 && aimed > 0.0);
    let reproduces = !degenerate(suggested_ranking.mql.share, aimed_mql)
        && !degenerate(suggested_ranking.sql.share, aimed_sql);
    let scorecard = match model {
        Some((m, _)) => m
            .coefficients()
            .iter()
            .map(|c| ScorecardRow {
                term: c.term.clone(),
                points: scale.points_of_weight(c.weight),
                points_per_raw_unit: c.per_raw_unit.map(|u| scale.points_of_weight(u)),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(PointsComparison {
        scale: *scale,
        leads: n,
        converted: labels.iter().filter(|l| **l).count(),
        hand_set: ranking(labels, &hand, scheme.mql, scheme.sql),
        model: model.map(|(m, p)| ranking(labels, p, m.cutoffs().mql(), m.cutoffs().sql())),
        suggested: SuggestedScheme {
            rules: report.suggested.clone(),
            mql: suggested_mql,
            sql: suggested_sql,
            thresholds_from,
            reproduces,
            ranking: suggested_ranking,
        },
        rules: report,
        scorecard,
    })
}
