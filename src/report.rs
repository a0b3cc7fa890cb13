//! The self-contained HTML report: charts drawn with plotters as inline SVG
//! (no scripts, no network), plus the tables and the model card. One file a
//! manager can open anywhere.

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::evaluate::Evaluation;
use crate::model::Model;

/// Everything the report shows.
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

type ChartResult<T> = std::result::Result<T, ChartError>;

fn chart_err<E: std::fmt::Display>(chart: &'static str) -> impl Fn(E) -> ChartError {
    move |e| ChartError {
        chart,
        message: e.to_string(),
    }
}

const WIDTH: u32 = 560;
const HEIGHT: u32 = 420;
const CONVERTED: RGBColor = RGBColor(214, 96, 39);
const OTHER: RGBColor = RGBColor(49, 106, 170);
const GREY: RGBColor = RGBColor(150, 150, 150);

/// Render the report as one HTML document.
pub fn render(input: &ReportInput<'_>) -> Result<String, ChartError> {
    let e = input.evaluation;
    let m = &e.metrics;
    let mut html = String::with_capacity(200_000);
    let _ = write!(
        html,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }}
h1 {{ margin-bottom: 0.2rem; }} .subject {{ color: #555; margin-top: 0; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 1rem; }}
figure {{ margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem; background: #fff; }}
figcaption {{ font-weight: 600; margin-bottom: 0.3rem; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.7rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.metrics td {{ font-variant-numeric: tabular-nums; }}
</style></head><body>
<h1>{title}</h1>
<p class="subject">{subject}</p>
<h2>Headline metrics</h2>
<table class="metrics"><tr><th>metric</th><th>value</th></tr>
<tr><td>Leads</td><td>{rows}</td></tr>
<tr><td>Converted</td><td>{pos} ({base:.1}%)</td></tr>
<tr><td>ROC AUC (95% bootstrap interval)</td><td>{auc:.4} ({lo:.4} – {hi:.4})</td></tr>
<tr><td>PR AUC (average precision)</td><td>{pr:.4}</td></tr>
<tr><td>Log loss</td><td>{ll:.4}</td></tr>
<tr><td>Brier score</td><td>{brier:.4}</td></tr>
<tr><td>KS statistic</td><td>{ks:.4}</td></tr>
<tr><td>Expected calibration error</td><td>{ece:.4}</td></tr>
</table>
"#,
        title = escape(&input.title),
        subject = escape(&input.subject),
        rows = m.rows,
        pos = m.positives,
        base = 100.0 * e.base_rate,
        auc = m.roc_auc,
        lo = e.roc_auc_ci95.0,
        hi = e.roc_auc_ci95.1,
        pr = m.pr_auc,
        ll = m.log_loss,
        brier = m.brier,
        ks = e.ks,
        ece = e.expected_calibration_error,
    );

    html.push_str("<h2>Charts</h2><div class=\"charts\">\n");
    for (caption, svg) in [
        ("ROC curve", roc_chart(e)?),
        ("Precision-recall curve", pr_chart(e)?),
        ("Reliability diagram", reliability_chart(e)?),
        ("Lift and cumulative gain", gain_chart(e)?),
        ("Score distribution", distribution_chart(input)?),
        ("Coefficients", coefficient_chart(input.model)?),
    ] {
        let _ = writeln!(
            html,
            "<figure><figcaption>{caption}</figcaption>{svg}</figure>"
        );
    }
    html.push_str("</div>\n");

    html.push_str("<h2>Funnel stages</h2>\n<table><tr><th>stage</th><th>leads</th><th>share</th><th>conversion rate</th><th>precision (this stage or above)</th><th>recall</th><th>lift</th></tr>\n");
    for row in &e.stages {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{:.1}%</td><td>{:.1}%</td><td>{:.1}%</td><td>{:.1}%</td><td>{:.2}</td></tr>",
            row.stage,
            row.leads,
            100.0 * row.share,
            100.0 * row.conversion_rate,
            100.0 * row.precision,
            100.0 * row.recall,
            row.lift
        );
    }
    let _ = writeln!(
        html,
        "</table><p>Cut-offs: MQL at p ≥ {:.4}, SQL at p ≥ {:.4}{}.</p>",
        e.cutoffs.mql(),
        e.cutoffs.sql(),
        input
            .model
            .cutoff_choice()
            .map(|c| format!(
                " (policies {} and {}, chosen on the {})",
                c.mql_policy,
                c.sql_policy,
                escape(&c.chosen_on)
            ))
            .unwrap_or_default()
    );

    html.push_str("<h2>Lift by decile</h2>\n<table><tr><th>decile</th><th>leads</th><th>converted</th><th>lowest p</th><th>conversion rate</th><th>lift</th><th>cumulative gain</th><th>cumulative lift</th></tr>\n");
    for d in &e.deciles {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.1}%</td><td>{:.2}</td><td>{:.1}%</td><td>{:.2}</td></tr>",
            d.decile, d.leads, d.converted, d.min_probability, 100.0 * d.conversion_rate, d.lift, 100.0 * d.cumulative_gain, d.cumulative_lift
        );
    }
    html.push_str("</table>\n<h2>Reliability table</h2>\n<table><tr><th>probability bin</th><th>leads</th><th>mean predicted</th><th>observed rate</th></tr>\n");
    for b in &e.calibration {
        let _ = writeln!(
            html,
            "<tr><td>{:.1} – {:.1}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td></tr>",
            b.lower, b.upper, b.count, b.mean_predicted, b.observed_rate
        );
    }
    html.push_str("</table>\n<h2>Conversion by score band</h2>\n<table><tr><th>points</th><th>leads</th><th>converted</th><th>conversion rate</th></tr>\n");
    for b in e.bands.iter().filter(|b| b.leads > 0) {
        let _ = writeln!(
            html,
            "<tr><td>{}–{}</td><td>{}</td><td>{}</td><td>{:.1}%</td></tr>",
            b.from_points,
            b.to_points,
            b.leads,
            b.converted,
            100.0 * b.conversion_rate
        );
    }
    html.push_str("</table>\n");
    model_card(&mut html, input.model);
    html.push_str("</body></html>\n");
    Ok(html)
}

fn model_card(html: &mut String, model: &Model) {
    let card = model.training();
    let reg = model.regularisation();
    let dates = card
        .date_range
        .as_ref()
        .map(|(a, b)| format!("{a} – {b}"))
        .unwrap_or_else(|| "no date column".into());
    let _ = write!(
        html,
        "<h2>Model card</h2>\n<table><tr><th>field</th><th>value</th></tr>\
<tr><td>Model</td><td>{}</td></tr><tr><td>Trained</td><td>{} (leadscore {})</td></tr>\
<tr><td>Format version</td><td>{}</td></tr><tr><td>Training data</td><td>{} (sha256 {}…)</td></tr>\
<tr><td>Rows</td><td>{} ({} converted); {} used to fit</td></tr><tr><td>Date range</td><td>{}</td></tr>\
<tr><td>Penalty</td><td>alpha {} (scikit-learn C = {}), {}-fold cross-validation</td></tr>\
<tr><td>Holdout</td><td>{} {:.0}%</td></tr><tr><td>Features</td><td>{}</td></tr></table>\n",
        escape(model.name()),
        escape(model.trained_at()),
        escape(model.leadscore_version()),
        model.format_version(),
        escape(&card.data_file),
        &card.data_sha256.get(..12).unwrap_or(""),
        card.rows,
        card.positives,
        card.rows_train,
        escape(&dates),
        reg.alpha,
        reg.c,
        reg.folds,
        escape(&model.holdout().split),
        100.0 * model.holdout().fraction,
        model.schema().features.len()
    );
}

/// Escape text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

type UnitChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn unit_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    x_desc: &str,
    y_desc: &str,
    chart: &'static str,
) -> ChartResult<UnitChart<'a, 'b>> {
    let mut c = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(chart_err(chart))?;
    c.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(chart_err(chart))?;
    Ok(c)
}

fn finish(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart: &'static str,
) -> ChartResult<()> {
    root.present().map_err(chart_err(chart))
}

fn roc_chart(e: &Evaluation) -> ChartResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("ROC"))?;
        let mut c = unit_chart(&root, "false positive rate", "true positive rate", "ROC")?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            GREY.stroke_width(1),
        ))
        .map_err(chart_err("ROC"))?;
        c.draw_series(LineSeries::new(
            e.roc.iter().copied(),
            OTHER.stroke_width(2),
        ))
        .map_err(chart_err("ROC"))?
        .label(format!("model (AUC {:.3})", e.metrics.roc_auc))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], OTHER.stroke_width(2)));
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(GREY)
            .background_style(WHITE)
            .draw()
            .map_err(chart_err("ROC"))?;
        finish(&root, "ROC")?;
    }
    Ok(svg)
}

fn pr_chart(e: &Evaluation) -> ChartResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("PR"))?;
        let mut c = unit_chart(&root, "recall", "precision", "PR")?;
        c.draw_series(LineSeries::new(
            [(0.0, e.base_rate), (1.0, e.base_rate)],
            GREY.stroke_width(1),
        ))
        .map_err(chart_err("PR"))?
        .label(format!("base rate {:.3}", e.base_rate))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], GREY.stroke_width(1)));
        let mut points = vec![(0.0, e.pr.first().map_or(1.0, |p| p.1))];
        points.extend(e.pr.iter().copied());
        c.draw_series(LineSeries::new(points, OTHER.stroke_width(2)))
            .map_err(chart_err("PR"))?
            .label(format!("model (AP {:.3})", e.metrics.pr_auc))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], OTHER.stroke_width(2)));
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .border_style(GREY)
            .background_style(WHITE)
            .draw()
            .map_err(chart_err("PR"))?;
        finish(&root, "PR")?;
    }
    Ok(svg)
}

fn reliability_chart(e: &Evaluation) -> ChartResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("reliability"))?;
        let mut c = unit_chart(
            &root,
            "mean predicted probability",
            "observed conversion rate",
            "reliability",
        )?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            GREY.stroke_width(1),
        ))
        .map_err(chart_err("reliability"))?;
        let points: Vec<(f64, f64)> = e
            .calibration
            .iter()
            .map(|b| (b.mean_predicted, b.observed_rate))
            .collect();
        c.draw_series(LineSeries::new(
            points.iter().copied(),
            OTHER.stroke_width(2),
        ))
        .map_err(chart_err("reliability"))?;
        c.draw_series(points.iter().map(|p| Circle::new(*p, 4, OTHER.filled())))
            .map_err(chart_err("reliability"))?;
        finish(&root, "reliability")?;
    }
    Ok(svg)
}

fn gain_chart(e: &Evaluation) -> ChartResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("gain"))?;
        let mut c = unit_chart(
            &root,
            "share of leads contacted (highest scores first)",
            "share of converters reached",
            "gain",
        )?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            GREY.stroke_width(1),
        ))
        .map_err(chart_err("gain"))?
        .label("random order")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], GREY.stroke_width(1)));
        let mut points = vec![(0.0, 0.0)];
        points.extend(
            e.deciles
                .iter()
                .map(|d| (d.decile as f64 / 10.0, d.cumulative_gain)),
        );
        c.draw_series(LineSeries::new(
            points.iter().copied(),
            CONVERTED.stroke_width(2),
        ))
        .map_err(chart_err("gain"))?
        .label(format!(
            "model (top decile lift {:.2})",
            e.deciles.first().map_or(f64::NAN, |d| d.lift)
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], CONVERTED.stroke_width(2)));
        c.draw_series(
            points
                .iter()
                .map(|p| Circle::new(*p, 3, CONVERTED.filled())),
        )
        .map_err(chart_err("gain"))?;
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(GREY)
            .background_style(WHITE)
            .draw()
            .map_err(chart_err("gain"))?;
        finish(&root, "gain")?;
    }
    Ok(svg)
}

fn distribution_chart(input: &ReportInput<'_>) -> ChartResult<String> {
    const BINS: usize = 40;
    let mut converted = [0.0f64; BINS];
    let mut other = [0.0f64; BINS];
    for (&y, &p) in input.labels.iter().zip(input.probabilities) {
        let b = ((p * BINS as f64) as usize).min(BINS - 1);
        if y {
            converted[b] += 1.0;
        } else {
            other[b] += 1.0;
        }
    }
    let (nc, no) = (
        converted.iter().sum::<f64>().max(1.0),
        other.iter().sum::<f64>().max(1.0),
    );
    let converted: Vec<f64> = converted.iter().map(|c| c / nc).collect();
    let other: Vec<f64> = other.iter().map(|c| c / no).collect();
    let top = converted
        .iter()
        .chain(&other)
        .copied()
        .fold(0.0, f64::max)
        .max(0.01)
        * 1.1;
    let cut = input.evaluation.cutoffs;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("distribution"))?;
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..top)
            .map_err(chart_err("distribution"))?;
        c.configure_mesh()
            .x_desc("probability of converting")
            .y_desc("share of group")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(chart_err("distribution"))?;
        let width = 1.0 / BINS as f64;
        for (values, color, label) in [
            (&other, OTHER, "did not convert"),
            (&converted, CONVERTED, "converted"),
        ] {
            c.draw_series(values.iter().enumerate().map(|(i, v)| {
                let x0 = i as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, *v)], color.mix(0.45).filled())
            }))
            .map_err(chart_err("distribution"))?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.45).filled())
            });
        }
        for (t, name, height) in [(cut.mql(), "MQL", 0.95), (cut.sql(), "SQL", 0.87)] {
            c.draw_series(LineSeries::new([(t, 0.0), (t, top)], BLACK.stroke_width(2)))
                .map_err(chart_err("distribution"))?;
            c.draw_series(std::iter::once(Text::new(
                format!("{name} {t:.3}"),
                (t + 0.01, top * height),
                ("sans-serif", 14).into_font(),
            )))
            .map_err(chart_err("distribution"))?;
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .border_style(GREY)
            .background_style(WHITE)
            .draw()
            .map_err(chart_err("distribution"))?;
        finish(&root, "distribution")?;
    }
    Ok(svg)
}

fn coefficient_chart(model: &Model) -> ChartResult<String> {
    let mut terms: Vec<(String, f64)> = model
        .coefficients()
        .iter()
        .map(|c| (c.term.clone(), c.weight))
        .collect();
    terms.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    terms.truncate(20);
    terms.reverse();
    let k = terms.len().max(1);
    let extent = terms.iter().map(|t| t.1.abs()).fold(0.1, f64::max) * 1.1;
    let height = 40 + 22 * k as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height.max(200))).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("coefficients"))?;
        let names: Vec<String> = terms.iter().map(|t| t.0.clone()).collect();
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(230)
            .build_cartesian_2d(-extent..extent, (0..k as i32).into_segmented())
            .map_err(chart_err("coefficients"))?;
        c.configure_mesh()
            .x_desc("log-odds weight (numeric terms per standard deviation)")
            .y_labels(k)
            .y_label_formatter(&|v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(chart_err("coefficients"))?;
        c.draw_series(terms.iter().enumerate().map(|(i, (_, w))| {
            let color = if *w >= 0.0 { CONVERTED } else { OTHER };
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i as i32)),
                    (*w, SegmentValue::Exact(i as i32 + 1)),
                ],
                color.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(chart_err("coefficients"))?;
        finish(&root, "coefficients")?;
    }
    Ok(svg)
}

/// The `leadscore points` report: how the schemes rank, one chart per rule
/// (hand-set points against the learned points and their 95% interval), the
/// suggested scheme and the whole model as a points sheet.
pub fn render_points(
    c: &crate::compare::PointsComparison,
    scheme: &crate::rules::PointsScheme,
) -> Result<String, ChartError> {
    let mut html = String::with_capacity(100_000);
    let _ = write!(
        html,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hand-set points vs evidence</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 0.8rem; }}
figure {{ margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: 0.4rem; }}
figcaption {{ font-weight: 600; }} .note {{ color: #555; font-size: 0.9rem; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.7rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
</style></head><body>
<h1>Hand-set points vs evidence</h1>
<p>{leads} leads, {conv} converted. Scale: {pdo} points double the odds of converting, so a rule worth k points claims the odds multiply by 2^(k/{pdo}).</p>
<h2>How each scheme ranks these leads</h2>
<table><tr><th>scheme</th><th>ROC AUC (95% interval)</th><th>MQL threshold</th><th>MQL volume</th><th>MQL conversion</th><th>SQL threshold</th><th>SQL volume</th><th>SQL conversion</th></tr>
"#,
        leads = c.leads,
        conv = c.converted,
        pdo = c.scale.pdo(),
    );
    let mut row = |name: &str, r: &crate::compare::SchemeRanking| {
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
            if r.matches > 0 {
                format!(", {:.1}% converted", 100.0 * r.conversion_rate)
            } else {
                String::new()
            }
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

fn rule_chart(r: &crate::rules::RuleEvidence) -> ChartResult<String> {
    let mut values = vec![r.points, 0.0];
    if let Some((lo, hi)) = r.learned_points_ci95 {
        values.extend([lo, hi]);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min) - 5.0;
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 5.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (380, 150)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err("rule"))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0.0..2.0)
            .map_err(chart_err("rule"))?;
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
            .draw()
            .map_err(chart_err("rule"))?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (0.0, 2.0)],
                GREY.stroke_width(1),
            ))
            .map_err(chart_err("rule"))?;
        chart
            .draw_series(std::iter::once(TriangleMarker::new(
                (r.points, 1.5),
                8,
                CONVERTED.filled(),
            )))
            .map_err(chart_err("rule"))?;
        if let (Some(points), Some((l, h))) = (r.learned_points, r.learned_points_ci95) {
            chart
                .draw_series(LineSeries::new([(l, 0.5), (h, 0.5)], OTHER.stroke_width(3)))
                .map_err(chart_err("rule"))?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (points, 0.5),
                    6,
                    OTHER.filled(),
                )))
                .map_err(chart_err("rule"))?;
        } else {
            chart
                .draw_series(std::iter::once(Text::new(
                    "no evidence",
                    (lo + 1.0, 0.45),
                    ("sans-serif", 13).into_font(),
                )))
                .map_err(chart_err("rule"))?;
        }
        finish(&root, "rule")?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
