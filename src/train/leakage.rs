//! The leakage guard: before fitting, look on the training part for columns
//! that are filled in only after the outcome is known (a deal stage, a sales
//! rep's tag, "closed won date", a call's duration). Such a column gives a
//! training AUC near 1 and a model that is useless on new leads.
//!
//! Rules, each with its evidence (thresholds are documented in README):
//! - a single feature ranks the training leads almost perfectly on its own
//!   (AUC ≥ [`SINGLE_COLUMN_AUC`]; categorical levels rated on one half of the
//!   rows and ranked on the other, so a many-level column cannot memorise);
//! - a categorical column whose sizeable levels convert almost never or almost
//!   always hold a large share of its rows: the signature of a status set by
//!   sales after the outcome;
//! - a column whose missingness alone almost predicts the label;
//! - a date used as its age (`age_days`) that falls after the lead's own
//!   date in a share of the rows: it was filled in after the lead arrived;
//! - a column named like a post-outcome field (`won`, `stage`, `deal` …, in
//!   English, Portuguese and Spanish): a warning only.

use serde::{Deserialize, Serialize};

use crate::encode::{FeatureColumn, RawValue};
use crate::evaluate::metrics::roc_auc;
use crate::io::values::clean_text;
use crate::schema::Schema;

/// A single column's own AUC from which it is suspected.
pub const SINGLE_COLUMN_AUC: f64 = 0.95;
/// A level converts "almost never" at or below this rate, "almost always" at or above one minus it.
pub const PURE_RATE: f64 = 0.02;
/// Share of a column's rows in such levels from which it is suspected (with at least two such levels).
pub const PURE_SHARE: f64 = 0.4;
/// AUC of "is missing" alone from which a column is suspected.
pub const MISSINGNESS_AUC: f64 = 0.9;
/// Share of training rows whose `age_days` date falls after the lead's own
/// date from which the column is suspected.
pub const DATE_AFTER_SHARE: f64 = 0.01;

/// Words that name post-outcome fields (whole words of a column name).
const POST_OUTCOME_WORDS: [&str; 33] = [
    // English
    "won",
    "lost",
    "closed",
    "close",
    "deal",
    "deals",
    "stage",
    "lifecycle",
    "churn",
    "churned",
    "revenue",
    "status",
    "reason",
    "tags",
    "tag",
    "outcome",
    // Portuguese
    "ganho",
    "perdido",
    "fechado",
    "negocio",
    "negócio",
    "etapa",
    "estagio",
    "estágio",
    "receita",
    "motivo",
    "etiquetas",
    // Spanish
    "ganado",
    "cerrado",
    "ingresos",
    "estado",
    "razon",
    "razón",
];
/// Word pairs that name post-outcome fields.
const POST_OUTCOME_PAIRS: [(&str, &str); 6] = [
    ("call", "duration"),
    ("call", "length"),
    ("customer", "since"),
    ("converted", "at"),
    ("cliente", "desde"),
    ("close", "date"),
];

/// Which rule a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakRule {
    /// The column alone ranks the leads almost perfectly.
    SingleColumnAuc,
    /// Sizeable levels that (almost) never or always convert hold many rows.
    PureLevels,
    /// Whether the column is filled almost predicts the label.
    Missingness,
    /// A date (used as its age) falls after the lead's own date.
    DateAfterReference,
    /// The column's name says it is post-outcome (a warning only).
    Name,
}

/// One suspicion about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakageFinding {
    /// The column.
    pub column: String,
    /// The rule.
    pub rule: LeakRule,
    /// The evidence in words.
    pub evidence: String,
    /// Whether it stops training (name matches never do; `--allow-leaky` lifts it).
    pub refused: bool,
}

/// Check every feature on the training rows; `allowed` columns are reported
/// but never refused.
pub fn check(
    schema: &Schema,
    columns: &[FeatureColumn],
    labels: &[bool],
    train: &[usize],
    allowed: &[String],
) -> Vec<LeakageFinding> {
    let y: Vec<bool> = train.iter().map(|&r| labels[r]).collect();
    let mut findings = Vec::new();
    for (spec, column) in schema.features.iter().zip(columns) {
        let allowed = allowed.iter().any(|a| a == &spec.name);
        let mut found = |rule, evidence: String| {
            findings.push(LeakageFinding {
                column: spec.name.clone(),
                rule,
                evidence,
                refused: rule != LeakRule::Name && !allowed,
            })
        };
        let auc = single_column_auc(column, train, &y);
        if auc >= SINGLE_COLUMN_AUC {
            found(
                LeakRule::SingleColumnAuc,
                format!("on its own it ranks the training leads with ROC AUC {auc:.3}"),
            );
        }
        if let FeatureColumn::Texts(_) = column {
            if let Some(evidence) = pure_levels(column, train, &y) {
                found(LeakRule::PureLevels, evidence);
            }
        }
        if let Some(evidence) = missingness(column, train, &y) {
            found(LeakRule::Missingness, evidence);
        }
        if let Some(crate::schema::AgeReference::Column(reference)) =
            spec.age_days.as_ref().map(|a| &a.reference)
        {
            if let Some(evidence) = date_after_reference(column, train, reference) {
                found(LeakRule::DateAfterReference, evidence);
            }
        }
        if let Some(word) = post_outcome_name(&spec.name) {
            found(
                LeakRule::Name,
                format!("its name has '{word}', a word of post-outcome fields; check it is known before the outcome"),
            );
        }
    }
    findings
}

/// The evidence when at least [`DATE_AFTER_SHARE`] of the training rows have
/// a date after their reference (a negative age).
fn date_after_reference(
    column: &FeatureColumn,
    train: &[usize],
    reference: &str,
) -> Option<String> {
    let (mut after, mut dated) = (0usize, 0usize);
    for &r in train {
        if let RawValue::Number(age) = column.raw(r) {
            dated += 1;
            after += usize::from(age < 0.0);
        }
    }
    let share = after as f64 / dated.max(1) as f64;
    (after > 0 && share >= DATE_AFTER_SHARE).then(|| {
        format!(
            "{after} of {dated} dated training leads ({:.1}%) have it after their {reference}: it is filled in after the lead arrives",
            100.0 * share
        )
    })
}

/// AUC of one column alone (folded to at least 0.5): numbers and yes/no by
/// value (missing in the middle), categories by the conversion rate of their
/// level on the other half of the rows.
fn single_column_auc(column: &FeatureColumn, train: &[usize], y: &[bool]) -> f64 {
    let scores: Vec<f64> = match column {
        FeatureColumn::Numbers(_) | FeatureColumn::Bools(_) => {
            let values: Vec<Option<f64>> = train
                .iter()
                .map(|&r| match column.raw(r) {
                    RawValue::Number(v) => Some(v),
                    RawValue::Bool(b) => Some(f64::from(u8::from(b))),
                    _ => None,
                })
                .collect();
            let present: Vec<f64> = values.iter().flatten().copied().collect();
            if present.is_empty() {
                return 0.5;
            }
            let middle = present.iter().sum::<f64>() / present.len() as f64;
            values.iter().map(|v| v.unwrap_or(middle)).collect()
        }
        FeatureColumn::Texts(_) => {
            // Rates from the even positions score the odd ones and vice versa.
            let mut scores = vec![0.0; train.len()];
            for half in 0..2 {
                let mut rates = std::collections::HashMap::<String, (usize, usize)>::new();
                for (k, &r) in train.iter().enumerate().filter(|(k, _)| k % 2 == half) {
                    let e = rates.entry(level(column, r)).or_default();
                    e.0 += 1;
                    e.1 += usize::from(y[k]);
                }
                let overall = y.iter().filter(|v| **v).count() as f64 / y.len().max(1) as f64;
                for (k, &r) in train.iter().enumerate().filter(|(k, _)| k % 2 != half) {
                    scores[k] = rates
                        .get(&level(column, r))
                        .map_or(overall, |(n, p)| (*p as f64 + overall) / (*n as f64 + 1.0));
                }
            }
            scores
        }
    };
    let auc = roc_auc(y, &scores);
    if auc.is_finite() {
        auc.max(1.0 - auc)
    } else {
        0.5
    }
}

fn level(column: &FeatureColumn, row: usize) -> String {
    match column.raw(row) {
        RawValue::Text(t) => clean_text(Some(t)).unwrap_or("").to_string(),
        _ => String::new(),
    }
}

/// Sizeable levels converting at most [`PURE_RATE`] or at least 1 − it,
/// together holding [`PURE_SHARE`] of the rows, at least two of them.
fn pure_levels(column: &FeatureColumn, train: &[usize], y: &[bool]) -> Option<String> {
    let mut counts = std::collections::BTreeMap::<String, (usize, usize)>::new();
    for (k, &r) in train.iter().enumerate() {
        let e = counts.entry(level(column, r)).or_default();
        e.0 += 1;
        e.1 += usize::from(y[k]);
    }
    let sizeable = (train.len() / 50).max(20);
    let mut pure: Vec<(&String, usize, f64)> = counts
        .iter()
        .filter(|(_, (n, _))| *n >= sizeable)
        .map(|(l, (n, p))| (l, *n, *p as f64 / *n as f64))
        .filter(|(_, _, rate)| *rate <= PURE_RATE || *rate >= 1.0 - PURE_RATE)
        .collect();
    let rows: usize = pure.iter().map(|(_, n, _)| n).sum();
    let share = rows as f64 / train.len().max(1) as f64;
    if pure.len() < 2 || share < PURE_SHARE {
        return None;
    }
    pure.sort_by_key(|p| std::cmp::Reverse(p.1));
    let shown: Vec<String> = pure
        .iter()
        .take(4)
        .map(|(l, n, rate)| format!("'{l}' {:.0}% of {n}", 100.0 * rate))
        .collect();
    Some(format!(
        "{} levels of {sizeable}+ rows convert at most {:.0}% or at least {:.0}% of the time and hold {:.0}% of its rows ({}): the signature of a status set after the outcome",
        pure.len(),
        100.0 * PURE_RATE,
        100.0 * (1.0 - PURE_RATE),
        100.0 * share,
        shown.join(", ")
    ))
}

/// Whether the column is filled, as a score, ranks the leads almost perfectly.
fn missingness(column: &FeatureColumn, train: &[usize], y: &[bool]) -> Option<String> {
    let missing: Vec<f64> = train
        .iter()
        .map(|&r| f64::from(u8::from(column.raw(r) == RawValue::Missing)))
        .collect();
    let n_missing = missing.iter().filter(|m| **m > 0.0).count();
    if n_missing == 0 || n_missing == missing.len() {
        return None;
    }
    let auc = roc_auc(y, &missing);
    let auc = auc.max(1.0 - auc);
    if auc < MISSINGNESS_AUC {
        return None;
    }
    let rate = |class: bool| {
        let rows: Vec<f64> = missing
            .iter()
            .zip(y)
            .filter(|(_, c)| **c == class)
            .map(|(m, _)| *m)
            .collect();
        100.0 * rows.iter().sum::<f64>() / rows.len().max(1) as f64
    };
    Some(format!(
        "it is empty for {:.0}% of converted and {:.0}% of other leads: whether it is filled alone ranks them with ROC AUC {auc:.3}",
        rate(true),
        rate(false)
    ))
}

/// The post-outcome word in a column name, if any: whole words, split at
/// separators and lower-to-upper case changes, compared in lower case.
pub fn post_outcome_name(name: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    if let Some((a, b)) = words.windows(2).find_map(|pair| {
        POST_OUTCOME_PAIRS
            .iter()
            .find(|(a, b)| pair[0] == *a && pair[1] == *b)
    }) {
        return Some(format!("{a} {b}"));
    }
    // A bare "duration" is the sales call's (known once it has happened); a
    // session's or a page's duration (`ProductRelated_Duration`) is not.
    if words == ["duration"] {
        return Some("duration".into());
    }
    if words
        .windows(3)
        .any(|w| w[0] == "ciclo" && w[1] == "de" && w[2] == "vida")
    {
        return Some("ciclo de vida".into());
    }
    words
        .into_iter()
        .find(|w| POST_OUTCOME_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_outcome_names_match_whole_words_in_three_languages() {
        for (name, word) in [
            ("deal_stage", "deal"),
            ("Lifecycle Stage", "lifecycle"),
            ("closedWonDate", "closed"),
            ("customer_since", "customer since"),
            ("Etapa do negócio", "etapa"),
            ("ciclo_de_vida", "ciclo de vida"),
            ("estado", "estado"),
            ("Tags", "tags"),
            ("duration", "duration"),
            ("call_duration", "call duration"),
        ] {
            assert_eq!(post_outcome_name(name).as_deref(), Some(word), "{name}");
        }
        for name in [
            "website_visits",
            "demo_requested",
            "stagecoach_fan",
            "closet_size",
            "industry",
        ] {
            assert_eq!(post_outcome_name(name), None, "{name}");
        }
    }
}
