//! The `leadscore compare` report: the verdict, both models' metrics, their
//! ROC curves, the stage-migration matrix, volumes and the leads that move.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::chart::{
    diagonal, legend, svg_chart, unit_chart, ChartResult, CONVERTED, HEIGHT, OTHER, WIDTH,
};
use super::{escape, page_head, ChartError};
use crate::evaluate::compare::Comparison;
use crate::model::stages::Stage;

/// The comparison as one self-contained HTML page; `roc` holds both ROC
/// curves when the leads are labelled.
pub fn render_comparison(
    c: &Comparison,
    roc: Option<&[Vec<(f64, f64)>; 2]>,
) -> Result<String, ChartError> {
    let mut html = String::with_capacity(50_000);
    html.push_str(&page_head("leadscore: A against B", WIDTH));
    let [a, b] = &c.models;
    let _ = writeln!(
        html,
        "<h1>A against B</h1>\n<p class=\"subject\">{} leads from {}{}</p>",
        c.leads,
        escape(&c.data.display().to_string()),
        c.converted
            .map(|k| format!(", {k} converted"))
            .unwrap_or_else(|| " (no labels: migrations and volumes only)".into())
    );
    for w in &c.warnings {
        let _ = writeln!(html, "<p class=\"note\">warning: {}</p>", escape(w));
    }
    html.push_str("<h2>Verdict</h2>\n<ul>\n");
    for line in &c.verdict {
        let _ = writeln!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ul>\n<h2>The models</h2>\n<table class=\"metrics\"><tr><th>model</th><th>file</th><th>version</th><th>trained</th><th>ROC AUC</th><th>PR AUC</th><th>log loss</th><th>Brier</th><th>lead</th><th>MQL</th><th>SQL</th></tr>\n");
    for s in [a, b] {
        let m = |f: fn(&crate::evaluate::metrics::Metrics) -> f64| {
            s.metrics
                .as_ref()
                .map_or("–".into(), |m| format!("{:.4}", f(m)))
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.role,
            escape(&s.file.display().to_string()),
            s.version,
            escape(&s.trained_at),
            m(|m| m.roc_auc),
            m(|m| m.pr_auc),
            m(|m| m.log_loss),
            m(|m| m.brier),
            s.stages[0],
            s.stages[1],
            s.stages[2]
        );
    }
    html.push_str("</table>\n");
    if let Some(t) = &c.roc_auc {
        let _ = writeln!(
            html,
            "<p>DeLong's test: ΔAUC (B − A) {:+.4}, standard error {:.4}, 95% CI {:.4} to {:.4}, p = {:.4}.</p>",
            t.difference,
            t.variance.sqrt(),
            t.ci95.0,
            t.ci95.1,
            t.p_value
        );
    }
    if let (Some(l), Some(br)) = (&c.log_loss, &c.brier) {
        let _ = writeln!(
            html,
            "<p>Paired bootstrap ({} resamples): Δ log loss (B − A) {:+.5}, 95% CI {:.5} to {:.5}; Δ Brier {:+.5}, 95% CI {:.5} to {:.5}.</p>",
            l.resamples, l.difference, l.ci95.0, l.ci95.1, br.difference, br.ci95.0, br.ci95.1
        );
    }
    if let Some(roc) = roc {
        let svg = roc_chart(c, roc)?;
        let _ = writeln!(
            html,
            "<div class=\"charts\"><figure><figcaption>ROC curves</figcaption>{svg}</figure></div>"
        );
    }
    html.push_str("<h2>Stage migration</h2>\n<p>Rows: stage under A; columns: stage under B. Each cell: leads");
    if c.labelled {
        html.push_str(" and their conversion rate");
    }
    html.push_str(".</p>\n<table><tr><th>A \\ B</th><th>lead</th><th>MQL</th><th>SQL</th></tr>\n");
    let most = c
        .migration
        .iter()
        .map(|m| m.leads)
        .max()
        .unwrap_or(1)
        .max(1);
    for from in Stage::ALL {
        let _ = write!(html, "<tr><th>{from}</th>");
        for cell in c.migration.iter().filter(|m| m.from == from) {
            let shade = 0.08 + 0.5 * cell.leads as f64 / most as f64;
            let rate = cell
                .conversion_rate
                .map(|r| {
                    format!(
                        "<br><span class=\"note\">{:.1}% converted</span>",
                        100.0 * r
                    )
                })
                .unwrap_or_default();
            let _ = write!(
                html,
                "<td style=\"background: rgba(49,106,170,{shade:.2})\">{}{rate}</td>",
                cell.leads
            );
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n<h2>Volumes</h2>\n<table><tr><th></th><th>under A</th><th>under B</th><th>change</th><th>converted (A → B)</th></tr>\n");
    for (name, v) in [("MQL or above", &c.mql_or_above), ("SQL", &c.sql)] {
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{:+}</td><td>{}</td></tr>",
            v.a,
            v.b,
            v.change,
            v.converted
                .map_or("–".into(), |(x, z)| format!("{x} → {z}"))
        );
    }
    html.push_str("</table>\n");
    if !c.movers.is_empty() {
        html.push_str("<h2>Leads that move most</h2>\n<table><tr><th>lead</th><th>under A</th><th>under B</th><th>outcome</th><th>reasons under A</th><th>reasons under B</th></tr>\n");
        for m in &c.movers {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{} ({} pts)</td><td>{} ({} pts)</td><td>{}</td><td style=\"text-align:left\">{}</td><td style=\"text-align:left\">{}</td></tr>",
                escape(&m.id.clone().unwrap_or_else(|| format!("row {}", m.row))),
                m.a.stage,
                m.a.points,
                m.b.stage,
                m.b.points,
                match m.converted {
                    Some(true) => "converted",
                    Some(false) => "not converted",
                    None => "–",
                },
                escape(&m.reasons_a.join("; ")),
                escape(&m.reasons_b.join("; "))
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

fn roc_chart(c: &Comparison, roc: &[Vec<(f64, f64)>; 2]) -> ChartResult<String> {
    svg_chart("ROC", (WIDTH, HEIGHT), |root| {
        let mut chart = unit_chart(root, "false positive rate", "true positive rate")?;
        diagonal(&mut chart)?;
        for (k, color) in [(0, OTHER), (1, CONVERTED)] {
            let auc = c.models[k].metrics.map_or(f64::NAN, |m| m.roc_auc);
            chart
                .draw_series(LineSeries::new(
                    roc[k].iter().copied(),
                    color.stroke_width(2),
                ))?
                .label(format!("{} (AUC {auc:.3})", c.models[k].role))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}
