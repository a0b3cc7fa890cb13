//! The evaluation report (`evaluate --report`, `train --report`): headline
//! metrics, ROC / PR / reliability / gain / score-distribution / coefficient
//! charts, the stage, decile, reliability and band tables, and the model card.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::chart::{
    diagonal, legend, svg_chart, unit_chart, ChartResult, CONVERTED, GREY, HEIGHT, OTHER, WIDTH,
};
use super::{escape, page_head, ChartError, ReportInput};
use crate::evaluate::evaluation::Evaluation;
use crate::model::Model;

/// Render the report as one HTML document.
pub fn render(input: &ReportInput<'_>) -> Result<String, ChartError> {
    let e = input.evaluation;
    let m = &e.metrics;
    let mut html = String::with_capacity(200_000);
    html.push_str(&page_head(&input.title, 560));
    let _ = write!(
        html,
        r#"<h1>{title}</h1>
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

    if let Some(findings) = &input.model.training().leakage {
        html.push_str("<h2>Leakage check (training part)</h2>\n");
        if findings.is_empty() {
            html.push_str("<p>No column looked filled in after the outcome.</p>\n");
        } else {
            html.push_str("<table class=\"metrics\"><tr><th>column</th><th>rule</th><th>evidence</th><th>outcome</th></tr>\n");
            for f in findings {
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{:?}</td><td>{}</td><td>{}</td></tr>",
                    escape(&f.column),
                    f.rule,
                    escape(&f.evidence),
                    if f.rule == crate::train::leakage::LeakRule::Name {
                        "warning"
                    } else {
                        "allowed by --allow-leaky"
                    }
                );
            }
            html.push_str("</table>\n");
        }
    }
    representations_section(&mut html, input.model);
    for warning in &e.warnings {
        let _ = writeln!(
            html,
            r#"<p class="warning" style="border-left:4px solid #c0392b;padding:6px 10px;background:#fdf0ee"><strong>Warning:</strong> {}</p>"#,
            escape(warning)
        );
    }
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

fn roc_chart(e: &Evaluation) -> ChartResult<String> {
    svg_chart("ROC", (WIDTH, HEIGHT), |root| {
        let mut c = unit_chart(root, "false positive rate", "true positive rate")?;
        diagonal(&mut c)?;
        c.draw_series(LineSeries::new(
            e.roc.iter().copied(),
            OTHER.stroke_width(2),
        ))?
        .label(format!("model (AUC {:.3})", e.metrics.roc_auc))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], OTHER.stroke_width(2)));
        legend(&mut c, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

fn pr_chart(e: &Evaluation) -> ChartResult<String> {
    svg_chart("PR", (WIDTH, HEIGHT), |root| {
        let mut c = unit_chart(root, "recall", "precision")?;
        c.draw_series(LineSeries::new(
            [(0.0, e.base_rate), (1.0, e.base_rate)],
            GREY.stroke_width(1),
        ))?
        .label(format!("base rate {:.3}", e.base_rate))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], GREY.stroke_width(1)));
        let mut points = vec![(0.0, e.pr.first().map_or(1.0, |p| p.1))];
        points.extend(e.pr.iter().copied());
        c.draw_series(LineSeries::new(points, OTHER.stroke_width(2)))?
            .label(format!("model (AP {:.3})", e.metrics.pr_auc))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], OTHER.stroke_width(2)));
        legend(&mut c, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

fn reliability_chart(e: &Evaluation) -> ChartResult<String> {
    svg_chart("reliability", (WIDTH, HEIGHT), |root| {
        let mut c = unit_chart(
            root,
            "mean predicted probability",
            "observed conversion rate",
        )?;
        diagonal(&mut c)?;
        let points: Vec<(f64, f64)> = e
            .calibration
            .iter()
            .map(|b| (b.mean_predicted, b.observed_rate))
            .collect();
        c.draw_series(LineSeries::new(
            points.iter().copied(),
            OTHER.stroke_width(2),
        ))?;
        c.draw_series(points.iter().map(|p| Circle::new(*p, 4, OTHER.filled())))?;
        Ok(())
    })
}

fn gain_chart(e: &Evaluation) -> ChartResult<String> {
    svg_chart("gain", (WIDTH, HEIGHT), |root| {
        let mut c = unit_chart(
            root,
            "share of leads contacted (highest scores first)",
            "share of converters reached",
        )?;
        diagonal(&mut c)?
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
        ))?
        .label(format!(
            "model (top decile lift {:.2})",
            e.deciles.first().map_or(f64::NAN, |d| d.lift)
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], CONVERTED.stroke_width(2)));
        c.draw_series(
            points
                .iter()
                .map(|p| Circle::new(*p, 3, CONVERTED.filled())),
        )?;
        legend(&mut c, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
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
    svg_chart("distribution", (WIDTH, HEIGHT), |root| {
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..top)?;
        c.configure_mesh()
            .x_desc("probability of converting")
            .y_desc("share of group")
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let width = 1.0 / BINS as f64;
        for (values, color, label) in [
            (&other, OTHER, "did not convert"),
            (&converted, CONVERTED, "converted"),
        ] {
            c.draw_series(values.iter().enumerate().map(|(i, v)| {
                let x0 = i as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, *v)], color.mix(0.45).filled())
            }))?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.45).filled())
            });
        }
        for (t, name, height) in [(cut.mql(), "MQL", 0.95), (cut.sql(), "SQL", 0.87)] {
            c.draw_series(LineSeries::new([(t, 0.0), (t, top)], BLACK.stroke_width(2)))?;
            c.draw_series(std::iter::once(Text::new(
                format!("{name} {t:.3}"),
                (t + 0.01, top * height),
                ("sans-serif", 14).into_font(),
            )))?;
        }
        legend(&mut c, SeriesLabelPosition::MiddleRight)?;
        Ok(())
    })
}

/// How each numeric feature is represented and why, with the points of every
/// bin of the binned ones (on the reasons' scale).
fn representations_section(html: &mut String, model: &Model) {
    let numeric: Vec<&crate::encode::NumericEncoder> = model
        .encoder()
        .features()
        .iter()
        .filter_map(|f| match f {
            crate::encode::FeatureEncoder::Numeric(e) => Some(e),
            _ => None,
        })
        .collect();
    if numeric.iter().all(|e| e.choice().is_none()) {
        return;
    }
    let scale = model.points_scale().scorecard().unwrap_or_default();
    html.push_str("<h2>Numeric features: representation (chosen by cross-validated log loss)</h2>\n<table class=\"metrics\"><tr><th>feature</th><th>representation and evidence</th><th>points per bin</th></tr>\n");
    for e in numeric {
        let Some(choice) = e.choice() else { continue };
        let bins: Vec<String> = model
            .coefficients()
            .iter()
            .filter(|c| c.feature == e.name())
            .take(if e.bins().is_some() {
                e.n_value_terms()
            } else {
                0
            })
            .map(|c| {
                format!(
                    "{}: {:+.0}",
                    escape(c.term.trim_start_matches(e.name()).trim()),
                    scale.points_of_weight(c.weight)
                )
            })
            .collect();
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td style=\"text-align:left\">{}</td><td>{}</td></tr>",
            escape(e.name()),
            escape(&choice.describe(e.bins().map(|b| b.len()))),
            bins.join("<br>")
        );
    }
    html.push_str("</table>\n");
    if let Some(check) = &model.regularisation().representations {
        let _ = writeln!(html, "<p class=\"note\">{}.</p>", escape(&check.describe()));
    }
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
    svg_chart("coefficients", (WIDTH, height.max(200)), |root| {
        let names: Vec<String> = terms.iter().map(|t| t.0.clone()).collect();
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(230)
            .build_cartesian_2d(-extent..extent, (0..k as i32).into_segmented())?;
        c.configure_mesh()
            .x_desc("log-odds weight (numeric terms per standard deviation)")
            .y_labels(k)
            .y_label_formatter(&|v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
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
        }))?;
        Ok(())
    })
}
