//! Self-contained HTML reports: charts drawn with plotters as inline SVG (no
//! scripts, no network), tables and the model card. One file a manager can
//! open anywhere: the evaluation, points, comparison and drift reports.

mod chart;
mod compare;
mod drift;
mod evaluation;
mod points;

pub use compare::render_comparison;
pub use drift::render_drift;
pub use evaluation::render;
pub use points::render_points;

use crate::evaluate::evaluation::Evaluation;
use crate::model::Model;

/// Everything the evaluation report shows.
pub struct ReportInput<'a> {
    /// Page title.
    pub title: String,
    /// What was evaluated, e.g. "holdout of leads.csv (1000 leads)".
    pub subject: String,
    /// The model.
    pub model: &'a Model,
    /// Its evaluation on the leads.
    pub evaluation: &'a Evaluation,
    /// The leads' outcomes (for the score distribution).
    pub labels: &'a [bool],
    /// The leads' probabilities.
    pub probabilities: &'a [f64],
}

/// A chart failed to draw (a bug, not bad input).
#[derive(Debug, thiserror::Error)]
#[error("drawing the {chart} chart failed: {message}")]
pub struct ChartError {
    chart: &'static str,
    message: String,
}

/// The document head and the style both reports share; `chart_width` is the
/// narrowest a chart in the grid may get, in pixels.
fn page_head(title: &str, chart_width: u32) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }}
h1 {{ margin-bottom: 0.2rem; }} .subject {{ color: #555; margin-top: 0; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax({chart_width}px, 1fr)); gap: 1rem; }}
figure {{ margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem; background: #fff; }}
figcaption {{ font-weight: 600; margin-bottom: 0.3rem; }} .note {{ color: #555; font-size: 0.9rem; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.7rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.metrics td {{ font-variant-numeric: tabular-nums; }}
</style></head><body>
"#,
        title = escape(title)
    )
}

/// Escape text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
