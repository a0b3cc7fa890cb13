//! The `leadscore points` report: how the schemes rank, one chart per rule
//! (hand-set points against the learned points and their 95% interval), the
//! suggested scheme and the whole model as a points sheet.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::chart::{svg_chart, ChartResult, CONVERTED, GREY, OTHER};
use super::{escape, page_head, ChartError};
use crate::points::compare::{PointsComparison, SchemeRanking};
use crate::points::rules::{PointsScheme, RuleEvidence};

/// The `leadscore points` report: how the schemes rank, one chart per rule
/// (hand-set points against the learned points and their 95% interval), the
/// suggested scheme and the whole model as a points sheet.
pub fn render_points(c: &PointsComparison, scheme: &PointsScheme) -> Result<String, ChartError> {
    let mut html = String::with_capacity(100_000);
    html.push_str(&page_head("Hand-set points vs evidence", 380));
    let _ = write!(
        html,
        r#"<h1>Hand-set points vs evidence</h1>
<p>{leads} leads, {conv} converted. Scale: {pdo} points double the odds of converting, so a rule worth k points claims the odds multiply by 2^(k/{pdo}).</p>
<h2>How each scheme ranks these leads</h2>
<table><tr><th>scheme</th><th>ROC AUC (95% interval)</th><th>MQL threshold</th><th>MQL volume</th><th>MQL conversion</th><th>SQL threshold</th><th>SQL volume</th><th>SQL conversion</th></tr>
"#,
        leads = c.leads,
        conv = c.converted,
        pdo = c.scale.pdo(),
    );
    let mut row = |name: &str, r: &SchemeRanking| {
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td>{:.4} ({:.4} – {:.4})</td><td>{:.4}</td><td>{}</td><td>{:.1}%</td><td>{:.4}</td><td>{}</td><td>{:.1}%</td></tr>",
            r.roc_auc, r.roc_auc_ci95.0, r.roc_auc_ci95.1, r.mql.cutoff, r.mql.volume, 100.0 * r.mql.precision, r.sql.cutoff, r.sql.volume, 100.0 * r.sql.precision
        );
    };
    row("hand-set (points)", &c.hand_set);
    if let Some(m) = &c.model {
        row("learned model (probability)", m);
    }
    row("suggested (points)", &c.suggested.ranking);
    html.push_str("</table>\n<h2>Rules</h2>\n<p>▲ hand-set points; ● learned points with their 95% interval (a rule refit on these leads).</p>\n<div class=\"charts\">\n");
    for r in &c.rules.rules {
        let svg = rule_chart(r)?;
        let _ = writeln!(
            html,
            "<figure><figcaption>{}</figcaption>{svg}<div class=\"note\">{}: {} ({} leads{})</div></figure>",
            escape(&r.name),
            r.verdict,
            escape(&r.note),
            r.matches,
            r.conversion_rate
                .map(|c| format!(", {:.1}% converted", 100.0 * c))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        html,
        "</div>\n<h2>Suggested scheme</h2>\n<p>MQL at {} points, SQL at {} points (hand-set: {} / {}); the thresholds reproduce {}.</p>\n<table><tr><th>rule</th><th>points</th></tr>",
        c.suggested.mql,
        c.suggested.sql,
        scheme.mql,
        scheme.sql,
        escape(&c.suggested.thresholds_from)
    );
    for (rule, points) in &c.suggested.rules {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{points:+}</td></tr>",
            escape(rule)
        );
    }
    html.push_str("</table>\n");
    if !c.scorecard.is_empty() {
        html.push_str("<h2>The whole model as a points sheet</h2>\n<table><tr><th>term</th><th>points</th></tr>\n");
        for s in &c.scorecard {
            let value = match s.points_per_raw_unit {
                Some(u) => format!("{u:+.1} per unit"),
                None => format!("{:+.1}", s.points),
            };
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{value}</td></tr>",
                escape(&s.term)
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

fn rule_chart(r: &RuleEvidence) -> ChartResult<String> {
    let mut values = vec![r.points, 0.0];
    if let Some((lo, hi)) = r.learned_points_ci95 {
        values.extend([lo, hi]);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min) - 5.0;
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 5.0;
    svg_chart("rule", (380, 150), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0.0..2.0)?;
        chart
            .configure_mesh()
            .x_desc("points")
            .y_labels(2)
            .y_label_formatter(&|y: &f64| {
                if (*y - 0.5).abs() < 0.26 {
                    "learned".into()
                } else if (*y - 1.5).abs() < 0.26 {
                    "hand-set".into()
                } else {
                    String::new()
                }
            })
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (0.0, 2.0)],
            GREY.stroke_width(1),
        ))?;
        chart.draw_series(std::iter::once(TriangleMarker::new(
            (r.points, 1.5),
            8,
            CONVERTED.filled(),
        )))?;
        if let (Some(points), Some((l, h))) = (r.learned_points, r.learned_points_ci95) {
            chart.draw_series(LineSeries::new([(l, 0.5), (h, 0.5)], OTHER.stroke_width(3)))?;
            chart.draw_series(std::iter::once(Circle::new(
                (points, 0.5),
                6,
                OTHER.filled(),
            )))?;
        } else {
            chart.draw_series(std::iter::once(Text::new(
                "no evidence",
                (lo + 1.0, 0.45),
                ("sans-serif", 13).into_font(),
            )))?;
        }
        Ok(())
    })
}
