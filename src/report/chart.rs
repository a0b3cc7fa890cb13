//! The plotters boilerplate every chart shares: an SVG string backend on a
//! white background, the unit-square chart of the curve plots, the colours,
//! and one error type for a chart that failed to draw.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;

/// Chart width in pixels.
pub(super) const WIDTH: u32 = 560;
/// Chart height in pixels.
pub(super) const HEIGHT: u32 = 420;
/// Converted leads, hand-set points.
pub(super) const CONVERTED: RGBColor = RGBColor(214, 96, 39);
/// Other leads, the model, learned points.
pub(super) const OTHER: RGBColor = RGBColor(49, 106, 170);
/// Reference lines.
pub(super) const GREY: RGBColor = RGBColor(150, 150, 150);

/// A chart's result.
pub(super) type ChartResult<T> = std::result::Result<T, ChartError>;
/// The drawing area charts draw on.
pub(super) type Root<'b> = DrawingArea<SVGBackend<'b>, Shift>;
/// What drawing calls return.
pub(super) type DrawResult<T> = std::result::Result<T, DrawingAreaErrorKind<std::io::Error>>;
/// A chart over [0, 1] × [0, 1].
pub(super) type UnitChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draw one chart of `size` pixels as an inline SVG string: a white
/// background, then `draw`; any drawing error names the chart.
pub(super) fn svg_chart(
    chart: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&Root<'_>) -> DrawResult<()>,
) -> ChartResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
            .map_err(|e| ChartError {
                chart,
                message: e.to_string(),
            })?;
    }
    Ok(svg)
}

/// A [0, 1] × [0, 1] chart with axis descriptions and no minor grid.
pub(super) fn unit_chart<'a, 'b>(
    root: &'a Root<'b>,
    x_desc: &str,
    y_desc: &str,
) -> DrawResult<UnitChart<'a, 'b>> {
    let mut c = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    c.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(c)
}

/// The chance line from (0, 0) to (1, 1), in grey.
pub(super) fn diagonal<'c, 'a, 'b>(
    c: &'c mut UnitChart<'a, 'b>,
) -> DrawResult<&'c mut plotters::chart::SeriesAnno<'a, SVGBackend<'b>>> {
    c.draw_series(LineSeries::new(
        [(0.0, 0.0), (1.0, 1.0)],
        GREY.stroke_width(1),
    ))
}

/// The series legend at `position`, boxed in grey on white.
pub(super) fn legend<'a, 'b: 'a, X, Y>(
    c: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> DrawResult<()>
where
    X: Ranged,
    Y: Ranged,
{
    c.configure_series_labels()
        .position(position)
        .border_style(GREY)
        .background_style(WHITE)
        .draw()
}
