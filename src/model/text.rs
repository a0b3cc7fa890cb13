//! The model as people read it: the card (data, decisions and their reasons,
//! penalty, holdout, strongest terms, cut-offs) and every weight.

use std::fmt::Write as _;
use std::path::Path;

use crate::encode::FeatureEncoder;

use super::{Coefficient, Model};

/// The `n` largest positive and negative weights (on the encoded scale).
pub fn strongest(model: &Model, n: usize) -> (Vec<&Coefficient>, Vec<&Coefficient>) {
    let mut sorted: Vec<&Coefficient> = model.coefficients().iter().collect();
    sorted.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let up = sorted
        .iter()
        .filter(|c| c.weight > 0.0)
        .take(n)
        .copied()
        .collect();
    let down = sorted
        .iter()
        .rev()
        .filter(|c| c.weight < 0.0)
        .take(n)
        .copied()
        .collect();
    (up, down)
}

fn describe(c: &Coefficient) -> String {
    match (c.per_raw_unit, &c.raw_unit) {
        (Some(u), Some(unit)) => format!("{:+.3}  ({:+.3} per {unit})", c.weight, u),
        _ => format!("{:+.3}", c.weight),
    }
}

/// The model card as text: data, label, features and exclusions with their
/// reasons, the penalty search, the holdout, the strongest terms, the cut-offs
/// and any warnings.
pub fn card_text(out: &mut String, model: &Model) {
    let card = model.training();
    let schema = model.schema();
    let _ = writeln!(
        out,
        "data      {} ({} rows, {} converted = {:.1}%)",
        card.data_file,
        card.rows,
        card.positives,
        100.0 * card.positives as f64 / card.rows.max(1) as f64
    );
    let _ = writeln!(
        out,
        "label     {} (converted = '{}')",
        schema.label, schema.positive
    );
    if let Some(id) = &schema.id {
        let _ = writeln!(out, "id        {id}");
    }
    if let Some(date) = &schema.date {
        let range = card
            .date_range
            .as_ref()
            .map(|(a, b)| format!(" ({a} .. {b})"))
            .unwrap_or_default();
        let _ = writeln!(out, "date      {date}{range}");
    }
    let _ = writeln!(out, "features:");
    for (f, encoder) in schema.features.iter().zip(model.encoder().features()) {
        let _ = writeln!(out, "  {:<24} {}", f.name, f.reason);
        if let FeatureEncoder::Numeric(e) = encoder {
            if let Some(choice) = e.choice() {
                let _ = writeln!(
                    out,
                    "  {:<24} representation: {}",
                    "",
                    choice.describe(e.bins().map(|b| b.len()))
                );
            }
        }
    }
    if let Some(check) = &model.regularisation().representations {
        let _ = writeln!(out, "representations: {}", check.describe());
    }
    if !schema.excluded.is_empty() {
        let _ = writeln!(out, "excluded:");
        for e in &schema.excluded {
            let _ = writeln!(out, "  {:<24} {}", e.column, e.reason);
        }
    }
    let reg = model.regularisation();
    let _ = writeln!(
        out,
        "penalty   alpha {} (C = {}) chosen by {}-fold cross-validated log loss{}",
        reg.alpha,
        reg.c,
        reg.folds,
        if reg.converged {
            ""
        } else {
            " (final fit NOT converged)"
        }
    );
    for row in &reg.cv {
        let _ = writeln!(
            out,
            "  alpha {:>8}  log loss {:.5} ± {:.5}{}{}",
            row.alpha,
            row.mean_log_loss,
            row.std_log_loss,
            if row.alpha == reg.alpha {
                "  <- chosen"
            } else {
                ""
            },
            if row.converged {
                ""
            } else {
                "  (not converged)"
            }
        );
    }
    let h = model.holdout();
    let from = h
        .from_date
        .as_ref()
        .map(|d| format!(", from {d}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "holdout   {} {:.0}%{from}: {} rows, {} converted",
        h.split,
        100.0 * h.fraction,
        h.metrics.rows,
        h.metrics.positives
    );
    let _ = writeln!(
        out,
        "          ROC AUC {:.4}  PR AUC {:.4}  log loss {:.4}  Brier {:.4}",
        h.metrics.roc_auc, h.metrics.pr_auc, h.metrics.log_loss, h.metrics.brier
    );
    let (up, down) = strongest(model, 5);
    let _ = writeln!(
        out,
        "strongest terms (log-odds per encoded unit; numeric terms are per standard deviation):"
    );
    for c in up.iter().chain(down.iter()) {
        let _ = writeln!(out, "  {:<36} {}", c.term, describe(c));
    }
    cutoff_text(out, model);
    for w in &card.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
}

/// The cut-offs and the policies behind them, with what they gave.
pub fn cutoff_text(out: &mut String, model: &Model) {
    let cut = model.cutoffs();
    let points = cut.in_points(&model.points_scale());
    let _ = writeln!(
        out,
        "cut-offs  MQL at {} points (p >= {:.4}), SQL at {} points (p >= {:.4}); {}; a lead's stage follows from its points",
        points.mql,
        cut.mql(),
        points.sql,
        cut.sql(),
        model.points_scale().describe()
    );
    if let Some(choice) = model.cutoff_choice() {
        for (name, policy, o) in [
            ("MQL", choice.mql_policy, choice.mql),
            ("SQL", choice.sql_policy, choice.sql),
        ] {
            let _ = writeln!(
        out,
                "  {name} {policy:<18} on the {}: {} leads ({:.1}%) at or above, precision {}, recall {:.3}",
                choice.chosen_on,
                o.volume,
                100.0 * o.share,
                if o.precision.is_finite() {
                    format!("{:.3}", o.precision)
                } else {
                    "- (no lead)".to_string()
                },
                o.recall
            );
        }
    }
}

/// A saved model in full (`leadscore inspect`): the card and every weight.
pub fn model_text(out: &mut String, model: &Model, path: &Path) {
    let _ = writeln!(
        out,
        "model     {} (name {}, format {}, leadscore {}, trained {})",
        path.display(),
        model.name(),
        model.format_version(),
        model.leadscore_version(),
        model.trained_at()
    );
    card_text(out, model);
    let _ = writeln!(out, "all terms:");
    let _ = writeln!(out, "  {:<36} {:+.3}", "(intercept)", model.intercept());
    for c in model.coefficients() {
        let _ = writeln!(out, "  {:<36} {}", c.term, describe(c));
    }
}
