//! The `leadscore drift` report: the verdict, the score's distribution in
//! training and now, every feature's PSI as a bar against the bands, the
//! most moved bins, new levels, stage shares and calibration per band.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::chart::{
    legend, svg_chart, unit_chart, ChartResult, CONVERTED, GREY, HEIGHT, OTHER, WIDTH,
};
use super::{escape, page_head, ChartError};
use crate::evaluate::drift::{CalibrationBand, DistributionDrift, Drift};
use crate::evaluate::psi::{PsiBand, ACT, WATCH};

/// The drift report as one self-contained HTML page.
pub fn render_drift(d: &Drift) -> Result<String, ChartError> {
    let mut html = String::with_capacity(50_000);
    html.push_str(&page_head("leadscore: drift", WIDTH));
    let _ = writeln!(
        html,
        "<h1>Drift since training</h1>\n<p class=\"subject\">{} new leads from {} against the {} training leads of {} ({})</p>\n<h2>Verdict</h2>\n<ul>",
        d.leads,
        escape(&d.data.display().to_string()),
        d.reference_rows,
        escape(&d.model.display().to_string()),
        escape(&d.model_name)
    );
    for line in &d.verdict {
        let _ = writeln!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ul>\n<div class=\"charts\">\n");
    let _ = writeln!(
        html,
        "<figure><figcaption>Score distribution (PSI {:.3}, {})</figcaption>{}<div class=\"note\">Share of leads per training score bin.</div></figure>",
        d.score.psi,
        d.score.band.as_str(),
        shares_chart(&d.score)?
    );
    if let Some(bands) = d.calibration.as_deref().filter(|b| !b.is_empty()) {
        let _ = writeln!(
            html,
            "<figure><figcaption>Calibration of the new leads</figcaption>{}<div class=\"note\">Mean predicted against observed conversion per training score band; the diagonal is perfect calibration.</div></figure>",
            calibration_chart(bands)?
        );
    }
    html.push_str("</div>\n<h2>Population stability per feature</h2>\n");
    let _ = writeln!(
        html,
        "<p>Bands: below {WATCH} stable, {WATCH} to {ACT} watch, above {ACT} act.</p>\n<table><tr><th>feature</th><th>PSI</th><th>band</th><th></th><th>most moved bin (training → new)</th><th>new levels</th></tr>"
    );
    let widest = d
        .features
        .iter()
        .map(|f| f.psi)
        .filter(|p| p.is_finite())
        .fold(ACT * 1.2, f64::max);
    for f in std::iter::once(&d.score).chain(&d.features) {
        let color = match f.band {
            PsiBand::Stable => "#6a9f58",
            PsiBand::Watch => "#e0a030",
            PsiBand::Act => "#d65f27",
        };
        let width = if f.psi.is_finite() {
            (240.0 * f.psi / widest).clamp(1.0, 240.0)
        } else {
            240.0
        };
        let moved = f
            .bins
            .iter()
            .max_by(|a, b| {
                (a.new - a.training)
                    .abs()
                    .total_cmp(&(b.new - b.training).abs())
            })
            .map(|b| {
                format!(
                    "{}: {:.1}% → {:.1}%",
                    escape(&b.bin),
                    100.0 * b.training,
                    100.0 * b.new
                )
            })
            .unwrap_or_default();
        let levels: Vec<String> = f
            .new_levels
            .iter()
            .take(5)
            .map(|l| format!("{} ({:.1}%)", escape(&l.level), 100.0 * l.share))
            .collect();
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{:.4}</td><td>{}</td><td style=\"text-align:left\"><div style=\"background:{color};width:{width:.0}px;height:0.8rem\"></div></td><td>{moved}</td><td>{}</td></tr>",
            escape(&f.name),
            f.psi,
            f.band.as_str(),
            levels.join(", ")
        );
    }
    html.push_str("</table>\n<h2>Stage shares</h2>\n<table><tr><th>stage</th><th>training</th><th>new</th></tr>\n");
    for s in &d.stages {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{:.1}%</td><td>{:.1}%</td></tr>",
            s.stage,
            100.0 * s.training,
            100.0 * s.new
        );
    }
    html.push_str("</table>\n");
    if let Some(bands) = &d.calibration {
        html.push_str("<h2>Calibration per score band</h2>\n<table><tr><th>band</th><th>leads</th><th>predicted</th><th>observed</th></tr>\n");
        for b in bands {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td></tr>",
                escape(&b.band),
                b.leads,
                b.predicted,
                b.observed
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

fn shares_chart(score: &DistributionDrift) -> ChartResult<String> {
    svg_chart("score distribution", (WIDTH, HEIGHT), |root| {
        let n = score.bins.len().max(1);
        let top = score
            .bins
            .iter()
            .map(|b| b.training.max(b.new))
            .fold(0.0, f64::max)
            * 1.15;
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..n as f64, 0.0..top.max(0.01))?;
        c.configure_mesh()
            .x_desc("training score bin (lowest first)")
            .y_desc("share of leads")
            .x_labels(n.min(12))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (k, (color, name)) in [(GREY, "training"), (OTHER, "new")].into_iter().enumerate() {
            let offset = 0.1 + 0.4 * k as f64;
            c.draw_series(score.bins.iter().enumerate().map(|(j, b)| {
                let v = if k == 0 { b.training } else { b.new };
                Rectangle::new(
                    [(j as f64 + offset, 0.0), (j as f64 + offset + 0.38, v)],
                    color.filled(),
                )
            }))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
        legend(&mut c, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

fn calibration_chart(bands: &[CalibrationBand]) -> ChartResult<String> {
    svg_chart("calibration", (WIDTH, HEIGHT), |root| {
        let mut c = unit_chart(
            root,
            "mean predicted probability",
            "observed conversion rate",
        )?;
        super::chart::diagonal(&mut c)?;
        c.draw_series(LineSeries::new(
            bands.iter().map(|b| (b.predicted, b.observed)),
            CONVERTED.stroke_width(2),
        ))?
        .label("new leads")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], CONVERTED.stroke_width(2)));
        c.draw_series(
            bands
                .iter()
                .map(|b| Circle::new((b.predicted, b.observed), 3, CONVERTED.filled())),
        )?;
        legend(&mut c, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}
