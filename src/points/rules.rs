//! Hand-set points schemes (`points.toml`, HubSpot / Marketo style) and the
//! evidence for each rule: conditions (a SQL subset, [`crate::points::condition`]),
//! a logistic model refitted on the rule indicators with 95% intervals from
//! the Hessian, verdicts, and a suggested integer scheme.

use std::path::Path;

use linfa_linalg::cholesky::InverseC;
use ndarray::{Array2, ShapeBuilder};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::encode::sigmoid;
use crate::error::{Error, Result};
use crate::points::condition::Condition;
use crate::points::ScorecardScale;
use crate::train::fit::{fit_logistic, Tolerance, DEFAULT_MAX_ITERATIONS};

/// One hand-set rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// What the rule is called in the CRM.
    pub name: String,
    /// A SQL boolean expression over lead columns, e.g. `pricing_page_views >= 1`
    /// (the language: [`crate::points::condition`]).
    pub when: String,
    /// Points the rule adds (negative to subtract).
    pub points: f64,
}

/// A hand-set scheme: rules plus MQL and SQL thresholds in points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsScheme {
    /// MQL threshold in points.
    pub mql: f64,
    /// SQL threshold in points.
    pub sql: f64,
    /// The rules.
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

impl PointsScheme {
    /// Read and check `points.toml`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::reading(path, source))?;
        let scheme: PointsScheme = toml::from_str(&text).map_err(|e| Error::Config {
            source_name: path.display().to_string(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let config = |message: String| Error::Config {
            source_name: path.display().to_string(),
            message,
        };
        if scheme.rules.is_empty() {
            return Err(config("no [[rule]] entries".into()));
        }
        if !(scheme.mql.is_finite() && scheme.sql.is_finite()) || scheme.sql < scheme.mql {
            return Err(config(format!(
                "thresholds must be numbers with sql >= mql (mql = {}, sql = {})",
                scheme.mql, scheme.sql
            )));
        }
        let mut names = std::collections::HashSet::new();
        for rule in &scheme.rules {
            if !names.insert(rule.name.as_str()) {
                return Err(config(format!("rule '{}' appears twice", rule.name)));
            }
            if !rule.points.is_finite() {
                return Err(config(format!(
                    "rule '{}': points must be a number",
                    rule.name
                )));
            }
        }
        Ok(scheme)
    }
}

/// Which leads each rule matches (one vector per rule; NULL does not match).
/// Conditions are parsed and type-checked by [`Condition`]; errors name the
/// file, the rule and what is wrong.
pub fn evaluate_rules(
    df: &DataFrame,
    scheme: &PointsScheme,
    path: &Path,
) -> Result<Vec<Vec<bool>>> {
    scheme
        .rules
        .iter()
        .map(|rule| {
            Condition::parse(&rule.when)
                .and_then(|condition| condition.matches(df))
                .map_err(|e| Error::Config {
                    source_name: path.display().to_string(),
                    message: format!("rule '{}' (when = \"{}\"): {e}", rule.name, rule.when),
                })
        })
        .collect()
}

/// The hand-set score of every lead: the sum of the points of matching rules.
pub fn hand_set_scores(scheme: &PointsScheme, hits: &[Vec<bool>], n: usize) -> Vec<f64> {
    let mut scores = vec![0.0; n];
    for (rule, rule_hits) in scheme.rules.iter().zip(hits) {
        for (s, hit) in scores.iter_mut().zip(rule_hits) {
            if *hit {
                *s += rule.points;
            }
        }
    }
    scores
}

/// Whether the data support a rule's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The claimed effect lies inside the 95% interval.
    Supported,
    /// The claim is above the interval.
    OverValued,
    /// The claim is below the interval.
    UnderValued,
    /// The rule never (or always) matches, or duplicates another rule.
    NoEvidence,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Supported => "supported",
            Verdict::OverValued => "over-valued",
            Verdict::UnderValued => "under-valued",
            Verdict::NoEvidence => "no evidence",
        })
    }
}

/// The evidence for one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleEvidence {
    /// Rule name.
    pub name: String,
    /// Hand-set points.
    pub points: f64,
    /// Odds multiplier the hand-set points claim: 2^(points / PDO).
    pub claimed_multiplier: f64,
    /// Learned odds multiplier (exp of the refitted weight), when estimable.
    pub learned_multiplier: Option<f64>,
    /// 95% interval of the learned multiplier.
    pub learned_multiplier_ci95: Option<(f64, f64)>,
    /// Learned points on the same scale.
    pub learned_points: Option<f64>,
    /// 95% interval of the learned points.
    pub learned_points_ci95: Option<(f64, f64)>,
    /// Leads the rule matches.
    pub matches: usize,
    /// Their conversion rate (`None` when the rule matches no lead).
    pub conversion_rate: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in words (e.g. "never matches", "same leads as 'X'").
    pub note: String,
}

/// The rule refit: a weight and standard error per estimable rule.
struct RuleFit {
    intercept: f64,
    /// Per rule: (weight, standard error) or None when not estimable.
    weights: Vec<Option<(f64, f64)>>,
}

/// Penalty of the rule refit: tiny, only to keep the Hessian invertible.
const RULE_ALPHA: f64 = 1e-3;
/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

fn refit(hits: &[Vec<bool>], labels: &[bool], estimable: &[bool]) -> Result<RuleFit> {
    let n = labels.len();
    let used: Vec<usize> = (0..hits.len()).filter(|&r| estimable[r]).collect();
    let mut x = Array2::<f64>::zeros((n, used.len()).f());
    for (j, &r) in used.iter().enumerate() {
        for (i, hit) in hits[r].iter().enumerate() {
            x[[i, j]] = f64::from(u8::from(*hit));
        }
    }
    let fitted = fit_logistic(
        x.view(),
        labels,
        RULE_ALPHA,
        None,
        DEFAULT_MAX_ITERATIONS,
        Tolerance::FINAL,
    )?;
    // Penalised Hessian with the intercept as the last row/column.
    let k = used.len();
    let mut h = Array2::<f64>::zeros((k + 1, k + 1));
    for i in 0..n {
        let z = fitted.intercept + (0..k).map(|j| fitted.weights[j] * x[[i, j]]).sum::<f64>();
        let p = sigmoid(z);
        let w = p * (1.0 - p);
        let row: Vec<f64> = (0..k)
            .map(|j| x[[i, j]])
            .chain(std::iter::once(1.0))
            .collect();
        for a in 0..=k {
            if row[a] == 0.0 {
                continue;
            }
            for b in 0..=k {
                h[[a, b]] += w * row[a] * row[b];
            }
        }
    }
    for j in 0..k {
        h[[j, j]] += RULE_ALPHA;
    }
    let cov = h
        .invc()
        .map_err(|source| Error::SingularHessian { source })?;
    let mut weights = vec![None; hits.len()];
    for (j, &r) in used.iter().enumerate() {
        weights[r] = Some((fitted.weights[j], cov[[j, j]].max(0.0).sqrt()));
    }
    Ok(RuleFit {
        intercept: fitted.intercept,
        weights,
    })
}

/// Everything `leadscore points` reports about the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleReport {
    /// Evidence per rule, in file order.
    pub rules: Vec<RuleEvidence>,
    /// Intercept of the rule refit (log-odds of a lead matching no rule).
    pub intercept: f64,
    /// Suggested integer points per rule (learned points rounded; 0 without evidence).
    pub suggested: Vec<(String, i64)>,
}

/// Refit the rules on labelled leads and judge each claim on `scale`.
pub fn judge_rules(
    scheme: &PointsScheme,
    hits: &[Vec<bool>],
    labels: &[bool],
    scale: &ScorecardScale,
) -> Result<RuleReport> {
    let n = labels.len();
    let mut notes = vec![String::new(); hits.len()];
    let mut estimable = vec![true; hits.len()];
    for (r, rule_hits) in hits.iter().enumerate() {
        let matches = rule_hits.iter().filter(|h| **h).count();
        if matches == 0 {
            estimable[r] = false;
            notes[r] = "never matches".into();
        } else if matches == n {
            estimable[r] = false;
            notes[r] = "matches every lead, so it cannot rank them".into();
        } else if let Some(other) = (0..r).find(|&o| estimable[o] && hits[o] == *rule_hits) {
            estimable[r] = false;
            notes[r] = format!(
                "matches exactly the same leads as '{}'",
                scheme.rules[other].name
            );
        }
    }
    let fit = refit(hits, labels, &estimable)?;
    let mut rules = Vec::with_capacity(hits.len());
    let mut suggested = Vec::with_capacity(hits.len());
    for (r, rule) in scheme.rules.iter().enumerate() {
        let matched: Vec<usize> = (0..n).filter(|&i| hits[r][i]).collect();
        let converted = matched.iter().filter(|&&i| labels[i]).count();
        let conversion_rate =
            (!matched.is_empty()).then(|| converted as f64 / matched.len() as f64);
        let claimed = scale.weight_of_points(rule.points);
        let (verdict, learned) = match fit.weights[r] {
            None => (Verdict::NoEvidence, None),
            Some((w, se)) => {
                let (lo, hi) = (w - Z95 * se, w + Z95 * se);
                let verdict = if claimed > hi {
                    Verdict::OverValued
                } else if claimed < lo {
                    Verdict::UnderValued
                } else {
                    Verdict::Supported
                };
                (verdict, Some((w, lo, hi)))
            }
        };
        if let Some((w, lo, hi)) = learned {
            notes[r] = format!(
                "claims odds × {:.2}; the data say × {:.2} (95% {:.2}–{:.2})",
                scale.odds_multiplier(rule.points),
                w.exp(),
                lo.exp(),
                hi.exp()
            );
        }
        suggested.push((
            rule.name.clone(),
            learned.map_or(0, |(w, _, _)| scale.points_of_weight(w).round() as i64),
        ));
        rules.push(RuleEvidence {
            name: rule.name.clone(),
            points: rule.points,
            claimed_multiplier: scale.odds_multiplier(rule.points),
            learned_multiplier: learned.map(|(w, _, _)| w.exp()),
            learned_multiplier_ci95: learned.map(|(_, lo, hi)| (lo.exp(), hi.exp())),
            learned_points: learned.map(|(w, _, _)| scale.points_of_weight(w)),
            learned_points_ci95: learned
                .map(|(_, lo, hi)| (scale.points_of_weight(lo), scale.points_of_weight(hi))),
            matches: matched.len(),
            conversion_rate,
            verdict,
            note: notes[r].clone(),
        });
    }
    Ok(RuleReport {
        rules,
        intercept: fit.intercept,
        suggested,
    })
}

/// Points threshold of the suggested scheme that reproduces probability
/// cut-off `p` under the rule refit: Σ learned points ≥ factor × (logit(p) − intercept).
pub fn suggested_threshold(report: &RuleReport, scale: &ScorecardScale, p: f64) -> i64 {
    let logit = (p / (1.0 - p)).ln();
    scale.points_of_weight(logit - report.intercept).round() as i64
}

/// Scores under the suggested integer scheme.
pub fn suggested_scores(report: &RuleReport, hits: &[Vec<bool>], n: usize) -> Vec<f64> {
    let mut scores = vec![0.0; n];
    for ((_, points), rule_hits) in report.suggested.iter().zip(hits) {
        for (s, hit) in scores.iter_mut().zip(rule_hits) {
            if *hit {
                *s += *points as f64;
            }
        }
    }
    scores
}
