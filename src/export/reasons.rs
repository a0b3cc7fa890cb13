//! The top reason labels of every row in SQL (`--reasons`): each feature's
//! contribution in points relative to the average training lead, as
//! `leadscore score --reasons` computes it, ranked by plain comparisons (no
//! arrays, no UDFs), and the labels of the three largest up and down.
//!
//! Labels read as leadscore's do (`industry = software`, `website_visits = 7`,
//! `pages_per_visit = 3.6 (bin 2.5 to < 3.05)`, `email_opens is missing`,
//! `pages_per_visit = -2 (scored as 1, the training range's end)`). Known
//! differences: a category longer than 60 characters is not cut, numbers
//! below 10⁻³ or from 10¹⁵ up print in the engine's own notation, and two
//! features with exactly equal contributions may swap places.

use super::dialect::Dialect;
use crate::encode::bins::number;
use crate::encode::{FeatureEncoder, NumericEncoder};

/// How many reasons up and down (as `leadscore score --reasons`).
pub const TOP: usize = crate::score::reasons::TOP_REASONS;

/// A number as leadscore's labels print it: whole numbers without a fraction.
fn number_text(d: Dialect, v: &str) -> String {
    format!(
        "(CASE WHEN {v} = FLOOR({v}) AND ABS({v}) < {big} THEN CAST(CAST({v} AS BIGINT) AS {s}) ELSE CAST({v} AS {s}) END)",
        big = d.number(1e15),
        s = d.string()
    )
}

/// `'text' || expr || 'text'` in the dialect.
fn concat(parts: &[String]) -> String {
    format!("({})", parts.join(" || "))
}

/// The label of a numeric feature's value (`value` is the typed column, or
/// a date's age in days when `age_to` names what the age counts up to).
pub fn numeric_label(
    d: Dialect,
    name: &str,
    value: &str,
    e: &NumericEncoder,
    age_to: Option<String>,
) -> String {
    let (shown, missing) = match &age_to {
        Some(reference) => (
            concat(&[
                d.text(&format!("{name} ")),
                number_text(d, value),
                d.text(&format!(" days before {reference}")),
            ]),
            format!("{name} has no age (it or {reference} is blank)"),
        ),
        None => (
            concat(&[d.text(&format!("{name} = ")), number_text(d, value)]),
            format!("{name} is missing"),
        ),
    };
    let mut case = format!("(CASE WHEN {value} IS NULL THEN {}", d.text(&missing));
    if let Some(s) = e.sentinel() {
        case.push_str(&format!(
            " WHEN {value} = {} THEN {}",
            d.number(s),
            d.text(&format!("{name} = {}", number(s)))
        ));
    }
    match (e.bins(), e.range()) {
        (Some(bins), _) => {
            let mut bin = String::from("(CASE");
            for (j, edge) in bins.edges().iter().enumerate() {
                bin.push_str(&format!(
                    " WHEN {value} < {} THEN {}",
                    d.number(*edge),
                    d.text(&bins.label(j))
                ));
            }
            bin.push_str(&format!(
                " ELSE {} END)",
                d.text(&bins.label(bins.len() - 1))
            ));
            case.push_str(&format!(
                " ELSE {} END)",
                concat(&[shown, d.text(" (bin "), bin, d.text(")")])
            ));
        }
        (None, Some((lo, hi))) => {
            for (test, end) in [("<", lo), (">", hi)] {
                case.push_str(&format!(
                    " WHEN {value} {test} {} THEN {}",
                    d.number(end),
                    concat(&[
                        shown.clone(),
                        d.text(&format!(
                            " (scored as {}, the training range's end)",
                            number(end)
                        ))
                    ])
                ));
            }
            case.push_str(&format!(" ELSE {shown} END)"));
        }
        (None, None) => case.push_str(&format!(" ELSE {shown} END)")),
    }
    case
}

/// The label of a yes/no feature (`missing` and `yes` are conditions).
pub fn boolean_label(d: Dialect, name: &str, missing: &str, yes: &str) -> String {
    format!(
        "(CASE WHEN {missing} THEN {} WHEN {yes} THEN {} ELSE {} END)",
        d.text(&format!("{name} is missing")),
        d.text(&format!("{name} = yes")),
        d.text(&format!("{name} = no"))
    )
}

/// The label of a categorical feature (`trimmed` is its trimmed text).
pub fn categorical_label(d: Dialect, name: &str, missing: &str, trimmed: &str) -> String {
    format!(
        "(CASE WHEN {missing} THEN {} ELSE {} END)",
        d.text(&format!("{name} is missing")),
        concat(&[d.text(&format!("{name} = ")), trimmed.to_string()])
    )
}

/// The SELECT list of the ranking level: for every feature `f`, the
/// contribution column `c{f}` and label column `l{f}` are given by the level
/// below; this adds `up{f}` and `down{f}`, its place among the features
/// (larger first, smaller first; ties in schema order).
pub fn ranks(features: usize) -> Vec<String> {
    let mut out = Vec::new();
    for f in 0..features {
        let place = |op: &str| {
            (0..features)
                .filter(|&g| g != f)
                .map(|g| {
                    let tie = if g < f {
                        format!(" OR c{g} = c{f}")
                    } else {
                        String::new()
                    };
                    format!("(CASE WHEN c{g} {op} c{f}{tie} THEN 1 ELSE 0 END)")
                })
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let zero = "0".to_string();
        let up = place(">");
        let down = place("<");
        out.push(format!(
            "{} AS up{f}",
            if up.is_empty() { zero.clone() } else { up }
        ));
        out.push(format!(
            "{} AS down{f}",
            if down.is_empty() { zero } else { down }
        ));
    }
    out
}

/// The reason columns: `reason_up_1` … and `reason_down_1` …, each the label
/// of the feature in that place with a contribution of that sign (NULL when
/// fewer features pull that way).
pub fn reason_columns(features: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (side, sign) in [("up", ">"), ("down", "<")] {
        for k in 0..TOP {
            let mut case = String::from("CASE WHEN z IS NULL THEN NULL");
            for f in 0..features {
                case.push_str(&format!(
                    " WHEN {side}{f} = {k} AND c{f} {sign} 0 THEN l{f}"
                ));
            }
            case.push_str(&format!(" END AS reason_{side}_{}", k + 1));
            out.push(case);
        }
    }
    out
}

/// Whether the encoder can be explained (models before format 3 have no
/// term means).
pub fn explainable(model: &crate::model::Model) -> bool {
    model.term_means().len() == model.n_terms()
}

/// The constant `Σ weight × mean` of a feature's terms.
pub fn mean_part(model: &crate::model::Model, first: usize, encoder: &FeatureEncoder) -> f64 {
    (first..first + encoder.n_terms())
        .map(|k| model.coefficients()[k].weight * model.term_means()[k])
        .sum()
}
