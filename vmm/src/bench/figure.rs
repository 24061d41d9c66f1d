//! The latency figure of `vmm bench` (`--svg`): one panel per operation,
//! each the empirical distribution (CDF) of its guest and host samples, on
//! one log latency axis that every panel shares, so panels compare at a
//! glance. Each panel marks both medians and their ratio, and its heading
//! gives them in numbers with the sample counts. The legend has a strip of
//! its own above the panels, never over data.
//!
//! plotters sizes SVG text by an estimate (it has no font), so the layout
//! keeps room to spare: labels are placed at fixed offsets with margins,
//! never packed by their estimated width.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{fmt_latency, in_unit, Operation, Report, Side};
use crate::error::{Error, Result};

/// Okabe–Ito vermillion and blue: told apart with the common colour-vision
/// deficiencies too.
pub const GUEST_COLOR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const HOST_COLOR: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Fill of the plot areas, and nothing else (the figure test finds the
/// panels by it).
pub const PLOT_BACKGROUND: RGBColor = RGBColor(0xF4, 0xF4, 0xF4);

const WIDTH: u32 = 960;
const TITLE_H: u32 = 66;
/// The legend strip: two rows with a host side, one without.
fn legend_h(with_host: bool) -> u32 {
    if with_host {
        62
    } else {
        40
    }
}
const PANEL_H: u32 = 190;
const FOOTER_H: u32 = 36;
/// From a panel's left edge to its plot area: the y labels.
const PLOT_LEFT: i32 = 64;
/// From a plot area to the panel's right edge: room for half of the last
/// tick label, which is centred on the axis's end.
const PLOT_RIGHT: i32 = 44;
/// The panel heading above the plot area.
const HEADING_H: i32 = 44;
const X_LABELS_H: i32 = 26;
/// The y axis's top: headroom above 100%, so that the curves' tops stay off
/// the frame.
pub const Y_TOP: f64 = 1.05;
/// Room the ratio label needs over the 50% line (bold, up to seven
/// characters), with slack for fonts wider than DejaVu Sans, and its
/// distance from the curves on either side.
const RATIO_LABEL_W: i32 = 80;
const RATIO_LABEL_H: i32 = 22;
const RATIO_LABEL_PAD: i32 = 6;
const FONT: &str = "sans-serif";
const TEXT_COLOR: RGBColor = RGBColor(0x22, 0x22, 0x22);

type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

/// The figure as SVG text.
pub fn svg(r: &Report) -> Result<String> {
    if r.operations.is_empty() {
        return Err(Error::Bench("no operation to draw".into()));
    }
    let mut out = String::new();
    let with_host = r.operations.iter().any(|op| op.host.is_some());
    let height = TITLE_H + legend_h(with_host) + PANEL_H * r.operations.len() as u32 + FOOTER_H;
    draw(
        SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area(),
        r,
        with_host,
    )
    .map_err(|e| Error::Bench(format!("cannot draw the latency figure: {e}")))?;
    Ok(out)
}

/// `with_host`: some operation has a host side.
fn draw(root: DrawingArea<SVGBackend<'_>, Shift>, r: &Report, with_host: bool) -> Drawn {
    root.fill(&WHITE)?;
    let (title, rest) = root.split_vertically(TITLE_H);
    let (legend, rest) = rest.split_vertically(legend_h(with_host));
    let (panels, footer) = rest.split_vertically(PANEL_H * r.operations.len() as u32);
    draw_title(&title, r, with_host)?;
    draw_legend(&legend, with_host)?;
    let axis = Axis::of(r);
    for (op, area) in r
        .operations
        .iter()
        .zip(panels.split_evenly((r.operations.len(), 1)))
    {
        draw_panel(&area, op, &axis)?;
    }
    let (w, _) = footer.dim_in_pixel();
    let centre = PLOT_LEFT + (w as i32 - PLOT_LEFT - PLOT_RIGHT) / 2;
    footer.draw(&Text::new(
        "latency (log scale, the same axis in every panel)",
        (centre, 6),
        font(14).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    root.present()?;
    Ok(())
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&TEXT_COLOR)
}

fn draw_title(area: &DrawingArea<SVGBackend<'_>, Shift>, r: &Report, with_host: bool) -> Drawn {
    let what = if with_host {
        "vmm bench: latency of each operation, guest vs host"
    } else {
        "vmm bench: latency of each operation in the guest"
    };
    area.draw(&Text::new(
        what,
        (PLOT_LEFT - 48, 12),
        (FONT, 22)
            .into_font()
            .style(FontStyle::Bold)
            .color(&TEXT_COLOR),
    ))?;
    area.draw(&Text::new(
        format!(
            "Each panel: the share of samples at or below a latency (empirical CDF); {} timed repetitions per operation.",
            r.iterations
        ),
        (PLOT_LEFT - 48, 42),
        font(14),
    ))?;
    Ok(())
}

/// The legend: what the two curves are, and the markers.
fn draw_legend(area: &DrawingArea<SVGBackend<'_>, Shift>, with_host: bool) -> Drawn {
    let (w, h) = area.dim_in_pixel();
    let (left, right) = (PLOT_LEFT, w as i32 - PLOT_RIGHT);
    area.draw(&Rectangle::new(
        [(left, 4), (right, h as i32 - 6)],
        BLACK.mix(0.35).stroke_width(1),
    ))?;
    let rows = [16, 39];
    let sample = |x: i32, y: i32, color: RGBColor| {
        PathElement::new(vec![(x, y), (x + 28, y)], color.stroke_width(2))
    };
    let label = |x: i32, y: i32, text: &str| {
        Text::new(
            text.to_string(),
            (x + 38, y),
            font(14).pos(Pos::new(HPos::Left, VPos::Center)),
        )
    };
    let x0 = left + 14;
    area.draw(&sample(x0, rows[0], GUEST_COLOR))?;
    area.draw(&label(
        x0,
        rows[0],
        "guest: the program on the threadlab kernel in a KVM guest (one vCPU)",
    ))?;
    let x1 = left + 580;
    area.draw(&Circle::new((x1 + 14, rows[0]), 4, BLACK.mix(0.7).filled()))?;
    area.draw(&label(x1, rows[0], "median, dashed down to the axis"))?;
    if with_host {
        area.draw(&sample(x0, rows[1], HOST_COLOR))?;
        area.draw(&label(
            x0,
            rows[1],
            "host: the same static binary run natively, pinned to CPU 0",
        ))?;
        area.draw(&PathElement::new(
            vec![(x1, rows[1]), (x1 + 28, rows[1])],
            BLACK.mix(0.6).stroke_width(1),
        ))?;
        area.draw(&label(x1, rows[1], "N\u{d7}: guest median / host median"))?;
    }
    Ok(())
}

/// The shared latency axis: whole decades around every sample.
struct Axis {
    lo: f64,
    hi: f64,
    decades: usize,
}

/// A log axis cannot show 0: samples below 1 ns are drawn at 1 ns.
fn on_axis(ns: f64) -> f64 {
    ns.max(1.0)
}

impl Axis {
    fn of(r: &Report) -> Axis {
        let all = r
            .operations
            .iter()
            .flat_map(|op| std::iter::once(&op.guest).chain(op.host.as_ref()))
            .flat_map(|s| s.samples_ns.iter().copied().map(on_axis));
        let (lo, hi) = all.fold((f64::INFINITY, 1.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let lo = 10f64.powf(lo.min(hi).log10().floor());
        let hi = 10f64.powf(hi.log10().ceil()).max(lo * 10.0);
        Axis {
            lo,
            hi,
            decades: (hi / lo).log10().round() as usize,
        }
    }
}

/// An axis label: the latency with an SI prefix (100 ns, 1 µs, 10 ms, 1 s).
fn si_label(ns: f64) -> String {
    if ns <= 0.0 || !ns.is_finite() {
        return "0 ns".into();
    }
    // The axis's decades come from powers and products a few ulps off.
    let step = 10f64.powf(ns.log10().floor() - 2.0);
    let (v, unit) = in_unit((ns / step).round() * step, "\u{b5}s");
    let v = format!("{v:.2}");
    format!("{} {unit}", v.trim_end_matches('0').trim_end_matches('.'))
}

/// A ratio with three significant digits: 811×, 21.8×, 2.18×.
fn fmt_ratio(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}\u{d7}")
    } else if x >= 10.0 {
        format!("{x:.1}\u{d7}")
    } else {
        format!("{x:.2}\u{d7}")
    }
}

/// The numbers of a panel heading: the medians, their ratio, the counts.
fn heading_numbers(op: &Operation) -> String {
    let median = |s: &Side| fmt_latency(s.median_ns, "\u{b5}s");
    let g = &op.guest;
    match (&op.host, op.ratio) {
        (Some(h), Some(ratio)) => {
            let counts = if g.samples_ns.len() == h.samples_ns.len() {
                format!("{} samples each", g.samples_ns.len())
            } else {
                format!(
                    "{} guest and {} host samples",
                    g.samples_ns.len(),
                    h.samples_ns.len()
                )
            };
            format!(
                "medians: guest {}, host {}; guest/host {} ({counts})",
                median(g),
                median(h),
                fmt_ratio(ratio)
            )
        }
        _ => format!(
            "median: guest {} ({} samples; no host run)",
            median(g),
            g.samples_ns.len()
        ),
    }
}

/// The x range (ns) the CDF staircase of `s` covers between the heights
/// `y0` and `y1`: sample i is its riser from i/n to (i+1)/n.
fn band_extent(s: &Side, (y0, y1): (f64, f64)) -> (f64, f64) {
    let n = s.samples_ns.len();
    if n == 0 {
        return (f64::INFINITY, f64::NEG_INFINITY);
    }
    let first = ((y0 * n as f64).ceil() as usize)
        .saturating_sub(1)
        .min(n - 1);
    let last = ((y1 * n as f64).floor() as usize).min(n - 1).max(first);
    (on_axis(s.samples_ns[first]), on_axis(s.samples_ns[last]))
}

/// The empirical CDF as a staircase: each sample lifts the curve by 1/n.
fn ecdf(s: &Side) -> Vec<(f64, f64)> {
    let n = s.samples_ns.len() as f64;
    let mut v = Vec::with_capacity(2 * s.samples_ns.len());
    for (i, &x) in s.samples_ns.iter().enumerate() {
        v.push((on_axis(x), i as f64 / n));
        v.push((on_axis(x), (i + 1) as f64 / n));
    }
    v
}

fn draw_panel(area: &DrawingArea<SVGBackend<'_>, Shift>, op: &Operation, axis: &Axis) -> Drawn {
    // Two lines, so that no name is too long to share a line with the numbers.
    area.draw(&Text::new(
        op.name.clone(),
        (PLOT_LEFT, 6),
        (FONT, 16)
            .into_font()
            .style(FontStyle::Bold)
            .color(&TEXT_COLOR),
    ))?;
    area.draw(&Text::new(heading_numbers(op), (PLOT_LEFT, 25), font(14)))?;
    // Just outside whole decades, so that the first and the last decade
    // are ticks however the powers round.
    let range = axis.lo / 1.0001..axis.hi * 1.0001;
    let mut chart = ChartBuilder::on(area)
        .margin_top(HEADING_H)
        .margin_right(PLOT_RIGHT)
        .margin_left(8)
        .margin_bottom(4)
        .x_label_area_size(X_LABELS_H)
        .y_label_area_size(PLOT_LEFT - 8)
        .build_cartesian_2d(range.log_scale(), 0f64..Y_TOP)?;
    chart.plotting_area().fill(&PLOT_BACKGROUND)?;
    chart
        .configure_mesh()
        .x_labels(axis.decades + 1)
        .x_max_light_lines(9)
        .y_labels(3)
        .y_max_light_lines(1)
        .x_label_formatter(&|v| si_label(*v))
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style(font(14))
        .bold_line_style(BLACK.mix(0.16))
        .light_line_style(BLACK.mix(0.05))
        .axis_style(BLACK.mix(0.5))
        .draw()?;
    let sides: Vec<(&Side, RGBColor)> = std::iter::once((&op.guest, GUEST_COLOR))
        .chain(op.host.as_ref().map(|h| (h, HOST_COLOR)))
        .collect();
    for (s, color) in &sides {
        chart.draw_series(LineSeries::new(ecdf(s), color.stroke_width(2)))?;
    }
    if let (Some(h), Some(ratio)) = (&op.host, op.ratio) {
        let (a, b) = (on_axis(h.median_ns), on_axis(op.guest.median_ns));
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(a, 0.5), (b, 0.5)],
            BLACK.mix(0.6).stroke_width(1),
        )))?;
        let (left, right) = if a <= b {
            (h, &op.guest)
        } else {
            (&op.guest, h)
        };
        let plot_h = chart.plotting_area().dim_in_pixel().1 as f64;
        let band = (0.5, 0.5 + f64::from(RATIO_LABEL_H) / plot_h * Y_TOP);
        let px = |x: f64| chart.backend_coord(&(x, 0.5)).0;
        // The gap between the two curves just above the 50% line.
        let (from, to) = (band_extent(left, band).1, band_extent(right, band).0);
        let gap = px(to) - px(from) - 2 * RATIO_LABEL_PAD;
        if gap >= RATIO_LABEL_W {
            chart.draw_series(std::iter::once(
                EmptyElement::at((from, 0.5))
                    + Text::new(
                        fmt_ratio(ratio),
                        ((px(to) - px(from)) / 2, -5),
                        (FONT, 15)
                            .into_font()
                            .style(FontStyle::Bold)
                            .color(&TEXT_COLOR)
                            .pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ),
            ))?;
        }
    }
    for (s, color) in &sides {
        let m = on_axis(s.median_ns);
        chart.draw_series(DashedLineSeries::new(
            [(m, 0.0), (m, 0.5)],
            5,
            3,
            color.stroke_width(1),
        ))?;
        chart.draw_series(std::iter::once(Circle::new((m, 0.5), 4, color.filled())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_carry_si_prefixes() {
        assert_eq!(si_label(100.0), "100 ns");
        assert_eq!(si_label(1e3 * (1.0 - 1e-12)), "1 \u{b5}s");
        assert_eq!(si_label(1e4), "10 \u{b5}s");
        assert_eq!(si_label(1e7 * (1.0 + 1e-12)), "10 ms");
        assert_eq!(si_label(1e9), "1 s");
        assert_eq!(si_label(2.5e5), "250 \u{b5}s");
        assert_eq!(si_label(0.0), "0 ns");
    }

    #[test]
    fn ratios_have_three_significant_digits() {
        assert_eq!(fmt_ratio(810.6), "811\u{d7}");
        assert_eq!(fmt_ratio(21.77), "21.8\u{d7}");
        assert_eq!(fmt_ratio(2.177), "2.18\u{d7}");
    }

    #[test]
    fn the_axis_is_whole_decades_around_every_sample() {
        let op = |g, h| Operation::new("op".into(), Side::new(g), None, Some(Side::new(h)));
        let r = Report {
            iterations: 2,
            operations: vec![op(vec![150.0, 9e6], vec![120.0, 300.0])],
            kernel_clone: None,
        };
        let a = Axis::of(&r);
        assert_eq!((a.lo, a.hi, a.decades), (100.0, 1e7, 5));
        // Every sample at one power of ten: still a decade.
        let r = Report {
            operations: vec![op(vec![1000.0], vec![1000.0])],
            ..r
        };
        let a = Axis::of(&r);
        assert_eq!((a.lo, a.hi, a.decades), (1000.0, 1e4, 1));
        // 0 ns is drawn at 1 ns.
        let r = Report {
            operations: vec![op(vec![0.0, 20.0], vec![5.0])],
            ..r
        };
        let a = Axis::of(&r);
        assert_eq!((a.lo, a.hi, a.decades), (1.0, 100.0, 2));
    }
}
