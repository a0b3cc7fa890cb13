//! Evaluations and backtests as people read them.

use std::fmt::Write as _;

use super::backtest::BacktestRow;
use super::evaluation::Evaluation;

/// An evaluation as text: headline metrics, stages, deciles, reliability.
pub fn evaluation_text(out: &mut String, e: &Evaluation) {
    for warning in &e.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    let m = &e.metrics;
    let _ = writeln!(
        out,
        "  {} leads, {} converted ({:.1}%)",
        m.rows,
        m.positives,
        100.0 * e.base_rate
    );
    let _ = writeln!(
        out,
        "  ROC AUC {:.4} (95% bootstrap {:.4}-{:.4})  PR AUC {:.4}  log loss {:.4}  Brier {:.4}  KS {:.4}  ECE {:.4}",
        m.roc_auc, e.roc_auc_ci95.0, e.roc_auc_ci95.1, m.pr_auc, m.log_loss, m.brier, e.ks, e.expected_calibration_error
    );
    let _ = writeln!(
        out,
        "  stage   leads   share  conv.rate  precision  recall   lift   (precision/recall/lift: this stage or above)");
    for s in &e.stages {
        let _ = writeln!(
            out,
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
    let _ = writeln!(out, "  decile  leads  conv.rate   lift  cum.gain");
    for d in &e.deciles {
        let _ = writeln!(
            out,
            "  {:>6} {:>6} {:>9.1}% {:>6.2} {:>8.1}%",
            d.decile,
            d.leads,
            100.0 * d.conversion_rate,
            d.lift,
            100.0 * d.cumulative_gain
        );
    }
    let _ = writeln!(out, "  reliability: predicted -> observed (leads)");
    for b in &e.calibration {
        let _ = writeln!(
            out,
            "    {:.1}-{:.1}: {:.3} -> {:.3} ({})",
            b.lower, b.upper, b.mean_predicted, b.observed_rate, b.count
        );
    }
}

/// A backtest as a table, one period per line.
pub fn backtest_text(out: &mut String, rows: &[BacktestRow]) {
    let _ = writeln!(
        out,
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
        let _ = writeln!(
            out,
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

/// A comparison of two models as text: the verdict, each model's metrics,
/// the paired tests, the migration matrix, the volumes and the movers.
pub fn comparison_text(out: &mut String, c: &super::compare::Comparison) {
    for warning in &c.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    let _ = writeln!(
        out,
        "{} leads from {}{}",
        c.leads,
        c.data.display(),
        c.converted
            .map(|k| format!(", {k} converted"))
            .unwrap_or_else(|| " (no labels)".into())
    );
    for s in &c.models {
        let _ = write!(
            out,
            "  {}: {} ({}, version {}, trained {})",
            s.role,
            s.file.display(),
            s.name,
            s.version,
            s.trained_at
        );
        if let Some(m) = &s.metrics {
            let _ = write!(
                out,
                "\n     ROC AUC {:.4}  PR AUC {:.4}  log loss {:.4}  Brier {:.4}",
                m.roc_auc, m.pr_auc, m.log_loss, m.brier
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "verdict:");
    for line in &c.verdict {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(t) = &c.roc_auc {
        let _ = writeln!(
            out,
            "  DeLong: ΔAUC (B − A) {:+.4}, SE {:.4}, z {:.2}, p {:.4}",
            t.difference,
            t.variance.sqrt(),
            t.z,
            t.p_value
        );
    }
    if let Some(l) = &c.brier {
        let _ = writeln!(
            out,
            "  paired bootstrap ({} resamples): Δ Brier (B − A) {:+.5}, 95% CI {:.5} to {:.5}",
            l.resamples, l.difference, l.ci95.0, l.ci95.1
        );
    }
    let _ = writeln!(
        out,
        "stage migration (rows: under A, columns: under B; leads{}):",
        if c.labelled { ", conversion rate" } else { "" }
    );
    let _ = writeln!(
        out,
        "  {:<6} {:>16} {:>16} {:>16}",
        "A \\ B", "lead", "MQL", "SQL"
    );
    for from in crate::model::stages::Stage::ALL {
        let _ = write!(out, "  {:<6}", from.as_str());
        for cell in c.migration.iter().filter(|m| m.from == from) {
            let rate = cell
                .conversion_rate
                .map(|r| format!(" ({:.1}%)", 100.0 * r))
                .unwrap_or_default();
            let _ = write!(out, " {:>16}", format!("{}{rate}", cell.leads));
        }
        let _ = writeln!(out);
    }
    for (name, v) in [("MQL or above", &c.mql_or_above), ("SQL", &c.sql)] {
        let converted = v
            .converted
            .map(|(a, b)| format!("; converted {a} → {b}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {name}: {} → {} ({:+}){converted}",
            v.a, v.b, v.change
        );
    }
    if !c.movers.is_empty() {
        let _ = writeln!(out, "leads that move most:");
        for m in &c.movers {
            let _ = writeln!(
                out,
                "  {} : {} ({} pts) → {} ({} pts){}",
                m.id.clone().unwrap_or_else(|| format!("row {}", m.row)),
                m.a.stage,
                m.a.points,
                m.b.stage,
                m.b.points,
                match m.converted {
                    Some(true) => ", converted",
                    Some(false) => ", did not convert",
                    None => "",
                }
            );
            let _ = writeln!(out, "      A: {}", m.reasons_a.join("; "));
            let _ = writeln!(out, "      B: {}", m.reasons_b.join("; "));
        }
    }
}

/// A drift report as text: the verdict, the score, each feature's PSI with
/// its most moved bins, new levels, stage shares and calibration.
pub fn drift_text(out: &mut String, d: &super::drift::Drift) {
    let _ = writeln!(
        out,
        "{} new leads from {} against {} training leads of {} ({})",
        d.leads,
        d.data.display(),
        d.reference_rows,
        d.model.display(),
        d.model_name
    );
    let _ = writeln!(out, "verdict:");
    for line in &d.verdict {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(
        out,
        "  {:<28} {:>7}  band    most moved bin (training → new)",
        "PSI", ""
    );
    for f in std::iter::once(&d.score).chain(&d.features) {
        let moved = f.bins.iter().max_by(|a, b| {
            (a.new - a.training)
                .abs()
                .total_cmp(&(b.new - b.training).abs())
        });
        let _ = writeln!(
            out,
            "  {:<28} {:>7.4}  {:<6}  {}",
            f.name,
            f.psi,
            f.band.as_str(),
            moved
                .map(|b| format!(
                    "{}: {:.1}% → {:.1}%",
                    b.bin,
                    100.0 * b.training,
                    100.0 * b.new
                ))
                .unwrap_or_default()
        );
        if !f.new_levels.is_empty() {
            let levels: Vec<String> = f
                .new_levels
                .iter()
                .take(5)
                .map(|l| format!("'{}' {:.1}%", l.level, 100.0 * l.share))
                .collect();
            let _ = writeln!(out, "      new levels: {}", levels.join(", "));
        }
    }
    let _ = writeln!(out, "  stage  training     new");
    for s in &d.stages {
        let _ = writeln!(
            out,
            "  {:<5} {:>8.1}% {:>7.1}%",
            s.stage.as_str(),
            100.0 * s.training,
            100.0 * s.new
        );
    }
    if let Some(bands) = &d.calibration {
        let _ = writeln!(
            out,
            "  calibration by score band: predicted → observed (leads)"
        );
        for b in bands {
            let _ = writeln!(
                out,
                "    {:<22} {:.3} → {:.3} ({})",
                b.band, b.predicted, b.observed, b.leads
            );
        }
    }
}
