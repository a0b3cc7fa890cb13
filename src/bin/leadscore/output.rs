//! Human-readable and JSON summaries printed by the CLI.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use leadscore::backtest::BacktestRow;
use leadscore::evaluate::Evaluation;
use leadscore::model::{Coefficient, Model};
use leadscore::score::ScoreSummary;

/// Print any serialisable value as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The machine-readable summary of a training run.
#[derive(Serialize)]
pub struct TrainSummary<'a> {
    model_path: PathBuf,
    name: &'a str,
    format_version: u32,
    rows: usize,
    positives: usize,
    conversion_rate: f64,
    rows_train: usize,
    features: Vec<&'a str>,
    excluded: &'a [leadscore::schema::Exclusion],
    alpha: f64,
    c: f64,
    holdout: &'a leadscore::model::Holdout,
    holdout_evaluation: &'a Evaluation,
    cutoffs: leadscore::stages::Cutoffs,
    cutoff_choice: Option<&'a leadscore::model::CutoffChoice>,
    top_positive: Vec<&'a Coefficient>,
    top_negative: Vec<&'a Coefficient>,
    warnings: &'a [String],
}

/// Build the JSON summary of a trained model.
pub fn train_summary<'a>(
    model: &'a Model,
    evaluation: &'a Evaluation,
    path: &Path,
) -> TrainSummary<'a> {
    let card = model.training();
    let (up, down) = strongest(model, 5);
    TrainSummary {
        model_path: path.to_path_buf(),
        name: model.name(),
        format_version: model.format_version(),
        rows: card.rows,
        positives: card.positives,
        conversion_rate: card.positives as f64 / card.rows.max(1) as f64,
        rows_train: card.rows_train,
        features: model.schema().feature_names().collect(),
        excluded: &model.schema().excluded,
        alpha: model.regularisation().alpha,
        c: model.regularisation().c,
        holdout: model.holdout(),
        holdout_evaluation: evaluation,
        cutoffs: model.cutoffs(),
        cutoff_choice: model.cutoff_choice(),
        top_positive: up,
        top_negative: down,
        warnings: &card.warnings,
    }
}

/// The `n` largest positive and negative weights (on the encoded scale).
fn strongest(model: &Model, n: usize) -> (Vec<&Coefficient>, Vec<&Coefficient>) {
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

fn print_card(model: &Model) {
    let card = model.training();
    let schema = model.schema();
    println!(
        "data      {} ({} rows, {} converted = {:.1}%)",
        card.data_file,
        card.rows,
        card.positives,
        100.0 * card.positives as f64 / card.rows.max(1) as f64
    );
    println!(
        "label     {} (converted = '{}')",
        schema.label, schema.positive
    );
    if let Some(id) = &schema.id {
        println!("id        {id}");
    }
    if let Some(date) = &schema.date {
        let range = card
            .date_range
            .as_ref()
            .map(|(a, b)| format!(" ({a} .. {b})"))
            .unwrap_or_default();
        println!("date      {date}{range}");
    }
    println!("features:");
    for f in &schema.features {
        println!("  {:<24} {}", f.name, f.reason);
    }
    if !schema.excluded.is_empty() {
        println!("excluded:");
        for e in &schema.excluded {
            println!("  {:<24} {}", e.column, e.reason);
        }
    }
    let reg = model.regularisation();
    println!(
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
        println!(
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
    println!(
        "holdout   {} {:.0}%{from}: {} rows, {} converted",
        h.split,
        100.0 * h.fraction,
        h.metrics.rows,
        h.metrics.positives
    );
    println!(
        "          ROC AUC {:.4}  PR AUC {:.4}  log loss {:.4}  Brier {:.4}",
        h.metrics.roc_auc, h.metrics.pr_auc, h.metrics.log_loss, h.metrics.brier
    );
    let (up, down) = strongest(model, 5);
    println!(
        "strongest terms (log-odds per encoded unit; numeric terms are per standard deviation):"
    );
    for c in up.iter().chain(down.iter()) {
        println!("  {:<36} {}", c.term, describe(c));
    }
    print_cutoff_lines(model);
    for w in &card.warnings {
        println!("warning: {w}");
    }
}

fn print_cutoff_lines(model: &Model) {
    let cut = model.cutoffs();
    println!(
        "cut-offs  MQL at p >= {:.4}, SQL at p >= {:.4}; {}",
        cut.mql(),
        cut.sql(),
        model.points_scale().describe()
    );
    if let Some(choice) = model.cutoff_choice() {
        for (name, policy, o) in [
            ("MQL", choice.mql_policy, choice.mql),
            ("SQL", choice.sql_policy, choice.sql),
        ] {
            println!(
                "  {name} {policy:<18} on the {}: {} leads ({:.1}%) at or above, precision {:.3}, recall {:.3}",
                choice.chosen_on,
                o.volume,
                100.0 * o.share,
                o.precision,
                o.recall
            );
        }
    }
}

/// Print the summary of a training run.
pub fn print_train(model: &Model, evaluation: &Evaluation, path: &Path) {
    print_card(model);
    println!("holdout evaluation:");
    print_evaluation(evaluation);
    println!("model     {}", path.display());
}

/// Print an evaluation.
pub fn print_evaluation(e: &Evaluation) {
    let m = &e.metrics;
    println!(
        "  {} leads, {} converted ({:.1}%)",
        m.rows,
        m.positives,
        100.0 * e.base_rate
    );
    println!(
        "  ROC AUC {:.4} (95% bootstrap {:.4}-{:.4})  PR AUC {:.4}  log loss {:.4}  Brier {:.4}  KS {:.4}  ECE {:.4}",
        m.roc_auc, e.roc_auc_ci95.0, e.roc_auc_ci95.1, m.pr_auc, m.log_loss, m.brier, e.ks, e.expected_calibration_error
    );
    println!("  stage   leads   share  conv.rate  precision  recall   lift   (precision/recall/lift: this stage or above)");
    for s in &e.stages {
        println!(
            "  {:<5} {:>7} {:>6.1}% {:>9.1}% {:>9.1}% {:>6.1}% {:>6.2}",
            s.stage.as_str(),
            s.leads,
            100.0 * s.share,
            100.0 * s.conversion_rate,
            100.0 * s.precision,
            100.0 * s.recall,
            s.lift
        );
    }
    println!("  decile  leads  conv.rate   lift  cum.gain");
    for d in &e.deciles {
        println!(
            "  {:>6} {:>6} {:>9.1}% {:>6.2} {:>8.1}%",
            d.decile,
            d.leads,
            100.0 * d.conversion_rate,
            d.lift,
            100.0 * d.cumulative_gain
        );
    }
    println!("  reliability: predicted -> observed (leads)");
    for b in &e.calibration {
        println!(
            "    {:.1}-{:.1}: {:.3} -> {:.3} ({})",
            b.lower, b.upper, b.mean_predicted, b.observed_rate, b.count
        );
    }
}

/// Print the result of `cutoffs`.
pub fn print_cutoffs(model: &Model, path: &Path) {
    print_cutoff_lines(model);
    println!("model     {}", path.display());
}

/// Print a backtest table.
pub fn print_backtest(rows: &[BacktestRow]) {
    println!(
        "{:<18} {:>6} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8}",
        "period",
        "train",
        "test",
        "base",
        "ROC AUC",
        "logloss",
        "Brier",
        "MQL prec",
        "MQL rec",
        "SQL prec",
        "SQL rec"
    );
    for r in rows {
        println!(
            "{:<18} {:>6} {:>6} {:>5.1}% {:>8.4} {:>8.4} {:>7.4} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            r.period,
            r.train_rows,
            r.test_rows,
            100.0 * r.base_rate,
            r.metrics.roc_auc,
            r.metrics.log_loss,
            r.metrics.brier,
            r.mql_precision,
            r.mql_recall,
            r.sql_precision,
            r.sql_recall
        );
    }
}

/// Print a saved model.
pub fn print_model(model: &Model, path: &Path) {
    println!(
        "model     {} (name {}, format {}, leadscore {}, trained {})",
        path.display(),
        model.name(),
        model.format_version(),
        model.leadscore_version(),
        model.trained_at()
    );
    print_card(model);
    println!("all terms:");
    println!("  {:<36} {:+.3}", "(intercept)", model.intercept());
    for c in model.coefficients() {
        println!("  {:<36} {}", c.term, describe(c));
    }
}

/// Print the summary of a scoring run.
pub fn print_score(summary: &ScoreSummary, model: &Model) {
    println!(
        "scored {} leads from {} into {} (mean probability {:.3})",
        summary.rows,
        summary.input.display(),
        summary.output.display(),
        summary.mean_probability
    );
    let cut = model.cutoffs();
    for stage in leadscore::stages::Stage::ALL {
        let stage = stage.as_str();
        let n = summary.stages.get(stage).unwrap_or(&0);
        println!(
            "  {:<5} {:>9}  ({:.1}%)",
            stage,
            n,
            100.0 * *n as f64 / summary.rows.max(1) as f64
        );
    }
    println!(
        "  (MQL at p >= {:.4}, SQL at p >= {:.4})",
        cut.mql(),
        cut.sql()
    );
    for (column, n) in &summary.unseen_levels {
        println!("warning: {n} value(s) of '{column}' were never seen in training and were scored as 'other'");
    }
    for (column, n) in &summary.imputed {
        println!("note: {n} blank value(s) of '{column}' were imputed as in training");
    }
    for column in &summary.replaced_columns {
        println!("note: the input's '{column}' column was replaced by the new score");
    }
}

fn ranking_line(name: &str, r: &leadscore::compare::SchemeRanking, unit: &str) {
    println!(
        "  {name:<10} ROC AUC {:.4} (95% {:.4}-{:.4}); MQL at {} {unit}: {} leads ({:.1}%), converting {:.1}%; SQL at {} {unit}: {} leads ({:.1}%), converting {:.1}%",
        r.roc_auc,
        r.roc_auc_ci95.0,
        r.roc_auc_ci95.1,
        trim_number(r.mql.cutoff),
        r.mql.volume,
        100.0 * r.mql.share,
        100.0 * r.mql.precision,
        trim_number(r.sql.cutoff),
        r.sql.volume,
        100.0 * r.sql.share,
        100.0 * r.sql.precision
    );
}

fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}

/// Print the hand-set vs learned comparison.
pub fn print_points(
    c: &leadscore::compare::PointsComparison,
    scheme: &leadscore::rules::PointsScheme,
) {
    println!(
        "{} leads, {} converted ({:.1}%); scale: {} points double the odds (factor {:.2} points per unit of log-odds)",
        c.leads,
        c.converted,
        100.0 * c.converted as f64 / c.leads.max(1) as f64,
        c.scale.pdo(),
        c.scale.factor()
    );
    println!("how each scheme ranks these leads:");
    ranking_line("hand-set", &c.hand_set, "points");
    if let Some(m) = &c.model {
        ranking_line("model", m, "p");
    }
    ranking_line("suggested", &c.suggested.ranking, "points");
    println!("rules (claimed vs learned on the same scale):");
    println!(
        "  {:<30} {:>7} {:>8} {:>8} {:>17} {:>7} {:>6}  verdict",
        "rule", "points", "claims x", "learned", "95% interval", "leads", "conv."
    );
    for r in &c.rules.rules {
        let learned = r.learned_points.map_or("-".into(), |p| format!("{p:+.1}"));
        let ci = r
            .learned_points_ci95
            .map_or("-".into(), |(lo, hi)| format!("{lo:+.1} to {hi:+.1}"));
        println!(
            "  {:<30} {:>+7.0} {:>8.2} {:>8} {:>17} {:>7} {:>5.1}%  {}: {}",
            r.name,
            r.points,
            r.claimed_multiplier,
            learned,
            ci,
            r.matches,
            100.0 * r.conversion_rate,
            r.verdict,
            r.note
        );
    }
    println!(
        "suggested scheme (MQL at {} points, SQL at {} points; thresholds reproduce {}; hand-set: {} / {}):",
        c.suggested.mql, c.suggested.sql, c.suggested.thresholds_from, scheme.mql, scheme.sql
    );
    for (rule, points) in &c.suggested.rules {
        println!("  {rule:<30} {points:+}");
    }
    if !c.scorecard.is_empty() {
        println!("the whole model as a points sheet (per level; numeric: per raw unit):");
        for row in &c.scorecard {
            match row.points_per_raw_unit {
                Some(u) => println!("  {:<40} {:+.1} per unit", row.term, u),
                None => println!("  {:<40} {:+.1}", row.term, row.points),
            }
        }
    }
}
