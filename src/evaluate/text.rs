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
