//! The points comparison as people read it: rankings, per-rule verdicts,
//! the suggested scheme and the points sheet.

use std::fmt::Write as _;

fn ranking_line(
    out: &mut String,
    name: &str,
    r: &crate::points::compare::SchemeRanking,
    unit: &str,
) {
    let _ = writeln!(
        out,
        "  {name:<10} ROC AUC {:.4} (95% {:.4}-{:.4}); MQL at {} {unit}: {} leads ({:.1}%), converting {}; SQL at {} {unit}: {} leads ({:.1}%), converting {}",
        r.roc_auc,
        r.roc_auc_ci95.0,
        r.roc_auc_ci95.1,
        trim_number(r.mql.cutoff),
        r.mql.volume,
        100.0 * r.mql.share,
        rate(r.mql.volume, r.mql.precision),
        trim_number(r.sql.cutoff),
        r.sql.volume,
        100.0 * r.sql.share,
        rate(r.sql.volume, r.sql.precision)
    );
}

/// A conversion rate in percent, `-` when no lead is there to convert.
fn rate(volume: usize, rate: f64) -> String {
    if volume == 0 || !rate.is_finite() {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * rate)
    }
}

fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}

/// The hand-set vs learned comparison as text.
pub fn points_text(
    out: &mut String,
    c: &crate::points::compare::PointsComparison,
    scheme: &crate::points::rules::PointsScheme,
) {
    let _ = writeln!(
        out,
        "{} leads, {} converted ({:.1}%); scale: {} points double the odds (factor {:.2} points per unit of log-odds)",
        c.leads,
        c.converted,
        100.0 * c.converted as f64 / c.leads.max(1) as f64,
        c.scale.pdo(),
        c.scale.factor()
    );
    let _ = writeln!(out, "how each scheme ranks these leads:");
    ranking_line(out, "hand-set", &c.hand_set, "points");
    if let Some(m) = &c.model {
        ranking_line(out, "model", m, "p");
    }
    ranking_line(out, "suggested", &c.suggested.ranking, "points");
    let _ = writeln!(out, "rules (claimed vs learned on the same scale):");
    let _ = writeln!(
        out,
        "  {:<30} {:>7} {:>8} {:>8} {:>17} {:>7} {:>6}  verdict",
        "rule", "points", "claims x", "learned", "95% interval", "leads", "conv."
    );
    for r in &c.rules.rules {
        let learned = r.learned_points.map_or("-".into(), |p| format!("{p:+.1}"));
        let ci = r
            .learned_points_ci95
            .map_or("-".into(), |(lo, hi)| format!("{lo:+.1} to {hi:+.1}"));
        let _ = writeln!(
            out,
            "  {:<30} {:>+7.0} {:>8.2} {:>8} {:>17} {:>7} {:>6}  {}: {}",
            r.name,
            r.points,
            r.claimed_multiplier,
            learned,
            ci,
            r.matches,
            r.conversion_rate
                .map_or("-".into(), |c| format!("{:.1}%", 100.0 * c)),
            r.verdict,
            r.note
        );
    }
    let claim = if c.suggested.reproduces {
        format!("thresholds reproduce {}", c.suggested.thresholds_from)
    } else {
        format!(
            "these thresholds cannot reproduce {}: the rules do not separate the leads enough, so MQL admits {:.0}% and SQL {:.0}% of them",
            c.suggested.thresholds_from,
            100.0 * c.suggested.ranking.mql.share,
            100.0 * c.suggested.ranking.sql.share
        )
    };
    let _ = writeln!(
        out,
        "suggested scheme (MQL at {} points, SQL at {} points; {claim}; hand-set: {} / {}):",
        c.suggested.mql, c.suggested.sql, scheme.mql, scheme.sql
    );
    for (rule, points) in &c.suggested.rules {
        let _ = writeln!(out, "  {rule:<30} {points:+}");
    }
    if !c.scorecard.is_empty() {
        let _ = writeln!(
            out,
            "the whole model as a points sheet (per level; numeric: per raw unit):"
        );
        for row in &c.scorecard {
            let _ = match row.points_per_raw_unit {
                Some(u) => writeln!(out, "  {:<40} {:+.1} per unit", row.term, u),
                None => writeln!(out, "  {:<40} {:+.1}", row.term, row.points),
            };
        }
    }
}
