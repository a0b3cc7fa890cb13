//! What a scoring run reports, as people read it.

use std::fmt::Write as _;

use super::batch::ScoreSummary;
use crate::model::Model;

/// The summary of a scoring run as text: rows, stages, warnings and notes.
pub fn score_text(out: &mut String, summary: &ScoreSummary, model: &Model) {
    let _ = writeln!(
        out,
        "scored {} leads from {} into {} (mean probability {:.3})",
        summary.rows,
        summary.input.display(),
        summary.output.display(),
        summary.mean_probability
    );
    let cut = model.cutoffs();
    for stage in crate::model::stages::Stage::ALL {
        let stage = stage.as_str();
        let n = summary.stages.get(stage).unwrap_or(&0);
        let _ = writeln!(
            out,
            "  {:<5} {:>9}  ({:.1}%)",
            stage,
            n,
            100.0 * *n as f64 / summary.rows.max(1) as f64
        );
    }
    let points = cut.in_points(&model.points_scale());
    let _ = writeln!(
        out,
        "  (MQL at {} points = p >= {:.4}, SQL at {} points = p >= {:.4})",
        points.mql,
        cut.mql(),
        points.sql,
        cut.sql()
    );
    for (column, n) in &summary.unseen_levels {
        let _ = writeln!(
        out,
        "warning: {n} value(s) of '{column}' were never seen in training and were scored as 'other'");
    }
    for (column, n) in &summary.out_of_range {
        let range = model
            .encoder()
            .features()
            .iter()
            .find_map(|f| match f {
                crate::encode::FeatureEncoder::Numeric(e) if e.name() == column => e.range(),
                _ => None,
            })
            .map(|(lo, hi)| format!(" ({lo} to {hi})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "warning: {n} value(s) of '{column}' lie far outside the training range{range} and were scored as its nearest end"
        );
    }
    for (column, n) in &summary.imputed {
        let _ = writeln!(
            out,
            "note: {n} blank value(s) of '{column}' were imputed as in training"
        );
    }
    for column in &summary.replaced_columns {
        let _ = writeln!(
            out,
            "note: the input's '{column}' column was replaced by the new score"
        );
    }
}
