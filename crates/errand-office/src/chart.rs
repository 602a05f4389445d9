//! Charts as SVG, drawn directly: column, bar, line, pie and scatter, with a title, axis
//! titles, round-number gridlines and a legend — readable defaults, no dependencies.
use crate::OfficeError;
use crate::spec::ChartKind;
use crate::xml::esc;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt::Write;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Chart {
    #[serde(rename = "type")]
    pub kind: ChartKind,
    pub title: Option<String>,
    /// Labels along the x axis (numbers for scatter); one per value.
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub x_title: Option<String>,
    pub y_title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub name: Option<String>,
    pub values: Vec<f64>,
}

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 480.0;
const PALETTE: [&str; 8] = [
    "#1F4E78", "#ED7D31", "#70AD47", "#5B9BD5", "#FFC000", "#A5A5A5", "#264478", "#9E480E",
];
const FONT: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
fn nice(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let step = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 2.5 {
        2.5
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    step * power
}

/// Axis bounds and step covering `min..max` in about five round steps.
fn axis(min: f64, max: f64) -> (f64, f64, f64) {
    let (lo, hi) = (min.min(0.0), max.max(0.0));
    // All values equal (all zero): a unit axis rather than a degenerate one.
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = nice(span / 5.0);
    let lo = (lo / step).floor() * step;
    let hi = ((hi / step).ceil() * step).max(lo + step).max(lo + span);
    (lo, hi, step)
}

fn label(value: f64) -> String {
    let rounded = if value.abs() >= 100.0 || value.fract() == 0.0 {
        format!("{:.0}", value)
    } else {
        let s = format!("{value:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    // Thousands separators for the integer part.
    let (int, frac) = rounded.split_once('.').unwrap_or((&rounded, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// The chart parsed for drawing (PNG, PDF), with the built-in font.
pub fn tree(chart: &Chart) -> Result<resvg::usvg::Tree, OfficeError> {
    let svg = svg(chart)?;
    let options = resvg::usvg::Options {
        fontdb: crate::fonts::database(),
        font_family: crate::fonts::FAMILY.to_string(),
        ..Default::default()
    };
    resvg::usvg::Tree::from_str(&svg, &options)
        .map_err(|e| OfficeError::Write(format!("cannot draw the chart: {e}")))
}

/// The chart as a PNG twice the SVG's size (1600 × 960), sharp on screens and in print.
pub fn png(chart: &Chart) -> Result<crate::media::Image, OfficeError> {
    let tree = tree(chart)?;
    let scale = 2.0;
    let size = tree.size();
    let (width, height) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| OfficeError::Write("the chart has no area".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .map_err(|e| OfficeError::Write(format!("cannot encode the chart as PNG: {e}")))?;
    crate::media::Image::from_bytes(bytes, "chart")
}

pub fn svg(chart: &Chart) -> Result<String, OfficeError> {
    check(chart)?;
    let legend = chart.series.len() > 1 || chart.kind == ChartKind::Pie;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FONT}\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>"
    );
    if let Some(title) = &chart.title {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"34\" text-anchor=\"middle\" font-size=\"20\" font-weight=\"bold\" fill=\"#262626\">{}</text>",
            WIDTH / 2.0,
            esc(title)
        );
    }
    let right = if legend { 170.0 } else { 30.0 };
    let area = Area {
        left: 80.0,
        // Room for a title or an x-axis title only when there is one.
        top: if chart.title.is_some() { 60.0 } else { 24.0 },
        right: WIDTH - right,
        bottom: HEIGHT - if chart.x_title.is_some() { 70.0 } else { 40.0 },
    };
    match chart.kind {
        ChartKind::Pie => pie(&mut out, chart, &area),
        _ => cartesian(&mut out, chart, &area),
    }
    if legend {
        let names: Vec<String> = if chart.kind == ChartKind::Pie {
            chart.categories.clone()
        } else {
            chart
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    s.name
                        .clone()
                        .unwrap_or_else(|| format!("Series {}", i + 1))
                })
                .collect()
        };
        for (i, name) in names.iter().enumerate() {
            let y = area.top + 10.0 + i as f64 * 24.0;
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#404040\">{}</text>",
                WIDTH - right + 20.0,
                y,
                PALETTE[i % PALETTE.len()],
                WIDTH - right + 40.0,
                y + 12.0,
                esc(name)
            );
        }
    }
    out.push_str("</svg>");
    Ok(out)
}

fn check(chart: &Chart) -> Result<(), OfficeError> {
    if chart.series.is_empty() {
        return Err(OfficeError::Spec(
            "series: give at least one {name, values}".into(),
        ));
    }
    for (i, s) in chart.series.iter().enumerate() {
        if s.values.len() != chart.categories.len() {
            return Err(OfficeError::Spec(format!(
                "series[{i}].values: {} values for {} categories; give one value per category",
                s.values.len(),
                chart.categories.len()
            )));
        }
        if s.values.iter().any(|v| !v.is_finite()) {
            return Err(OfficeError::Spec(format!(
                "series[{i}].values: not a number"
            )));
        }
    }
    if chart.kind == ChartKind::Pie && chart.series[0].values.iter().any(|v| *v < 0.0) {
        return Err(OfficeError::Spec(
            "series[0].values: a pie needs values of zero or more".into(),
        ));
    }
    if chart.kind == ChartKind::Scatter
        && let Some(bad) = chart
            .categories
            .iter()
            .find(|c| c.trim().parse::<f64>().is_err())
    {
        return Err(OfficeError::Spec(format!(
            "categories: a scatter chart needs numbers along x, got {bad:?}"
        )));
    }
    Ok(())
}

struct Area {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

fn pie(out: &mut String, chart: &Chart, area: &Area) {
    let values = &chart.series[0].values;
    let total: f64 = values.iter().sum();
    let (cx, cy) = (
        (area.left + area.right) / 2.0,
        (area.top + area.bottom) / 2.0 + 10.0,
    );
    let r = ((area.right - area.left).min(area.bottom - area.top) / 2.0 - 10.0).max(20.0);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, v) in values.iter().enumerate() {
        let share = if total > 0.0 { v / total } else { 0.0 };
        let sweep = share * std::f64::consts::TAU;
        let color = PALETTE[i % PALETTE.len()];
        if share >= 0.999_999 {
            let _ = write!(
                out,
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\" fill=\"{color}\"/>"
            );
        } else if share > 0.0 {
            let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
            let end = angle + sweep;
            let (x2, y2) = (cx + r * end.cos(), cy + r * end.sin());
            let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
            let _ = write!(
                out,
                "<path d=\"M{cx:.1},{cy:.1} L{x1:.1},{y1:.1} A{r:.1},{r:.1} 0 {large} 1 {x2:.1},{y2:.1} Z\" fill=\"{color}\" stroke=\"#FFFFFF\" stroke-width=\"2\"/>"
            );
        }
        if share >= 0.04 {
            let mid = angle + sweep / 2.0;
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"#FFFFFF\">{:.0}%</text>",
                cx + r * 0.65 * mid.cos(),
                cy + r * 0.65 * mid.sin() + 5.0,
                share * 100.0
            );
        }
        angle += sweep;
    }
}

fn cartesian(out: &mut String, chart: &Chart, area: &Area) {
    let horizontal = chart.kind == ChartKind::Bar;
    let all = chart.series.iter().flat_map(|s| s.values.iter().copied());
    let (min, max) = all.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi, step) = axis(min, max);
    let (w, h) = (area.right - area.left, area.bottom - area.top);
    // Value → position along the value axis.
    let value_pos = |v: f64| {
        let t = (v - lo) / (hi - lo);
        if horizontal {
            area.left + t * w
        } else {
            area.bottom - t * h
        }
    };
    // Gridlines and value labels.
    let mut v = lo;
    while v <= hi + step / 2.0 {
        let p = value_pos(v);
        if horizontal {
            let _ = write!(
                out,
                "<line x1=\"{p:.1}\" y1=\"{}\" x2=\"{p:.1}\" y2=\"{}\" stroke=\"#D9D9D9\"/><text x=\"{p:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#595959\">{}</text>",
                area.top,
                area.bottom,
                area.bottom + 18.0,
                label(v)
            );
        } else {
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{p:.1}\" x2=\"{}\" y2=\"{p:.1}\" stroke=\"#D9D9D9\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#595959\">{}</text>",
                area.left,
                area.right,
                area.left - 8.0,
                p + 4.0,
                label(v)
            );
        }
        v += step;
    }
    let zero = value_pos(0.0);
    let n = chart.categories.len().max(1);
    let scatter = chart.kind == ChartKind::Scatter;
    let xs: Vec<f64> = chart
        .categories
        .iter()
        .map(|c| c.trim().parse().unwrap_or(0.0))
        .collect();
    let (xlo, xhi, xstep) = if scatter {
        let (a, b) = xs
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        axis(a, b)
    } else {
        (0.0, 1.0, 1.0)
    };
    let band = if horizontal { h } else { w } / n as f64;
    // Category position (centre of its band), or x position for scatter.
    let category_pos = |i: usize| {
        if scatter {
            area.left + (xs[i] - xlo) / (xhi - xlo) * w
        } else if horizontal {
            area.top + band * (i as f64 + 0.5)
        } else {
            area.left + band * (i as f64 + 0.5)
        }
    };
    if scatter {
        let mut x = xlo;
        while x <= xhi + xstep / 2.0 {
            let p = area.left + (x - xlo) / (xhi - xlo) * w;
            let _ = write!(
                out,
                "<text x=\"{p:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#595959\">{}</text>",
                area.bottom + 18.0,
                label(x)
            );
            x += xstep;
        }
    } else {
        for (i, c) in chart.categories.iter().enumerate() {
            let p = category_pos(i);
            if horizontal {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#404040\">{}</text>",
                    area.left - 8.0,
                    p + 4.0,
                    esc(c)
                );
            } else {
                let _ = write!(
                    out,
                    "<text x=\"{p:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#404040\">{}</text>",
                    area.bottom + 18.0,
                    esc(c)
                );
            }
        }
    }
    let count = chart.series.len() as f64;
    for (si, series) in chart.series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        match chart.kind {
            ChartKind::Column | ChartKind::Bar => {
                let thickness = band * 0.7 / count;
                for (i, v) in series.values.iter().enumerate() {
                    let start = category_pos(i) - band * 0.35 + thickness * si as f64;
                    let end = value_pos(*v);
                    let (a, b) = (zero.min(end), zero.max(end));
                    let _ = if horizontal {
                        write!(
                            out,
                            "<rect x=\"{a:.1}\" y=\"{start:.1}\" width=\"{:.1}\" height=\"{thickness:.1}\" fill=\"{color}\"/>",
                            b - a
                        )
                    } else {
                        write!(
                            out,
                            "<rect x=\"{start:.1}\" y=\"{a:.1}\" width=\"{thickness:.1}\" height=\"{:.1}\" fill=\"{color}\"/>",
                            b - a
                        )
                    };
                }
            }
            ChartKind::Line | ChartKind::Scatter => {
                let points: Vec<(f64, f64)> = series
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (category_pos(i), value_pos(*v)))
                    .collect();
                if chart.kind == ChartKind::Line {
                    let path: Vec<String> = points
                        .iter()
                        .map(|(x, y)| format!("{x:.1},{y:.1}"))
                        .collect();
                    let _ = write!(
                        out,
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"3\"/>",
                        path.join(" ")
                    );
                }
                for (x, y) in points {
                    let _ = write!(
                        out,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{color}\"/>"
                    );
                }
            }
            ChartKind::Pie => {}
        }
    }
    // Axes over the gridlines.
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#7F7F7F\"/>",
        area.left, area.bottom, area.right, area.bottom
    );
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#7F7F7F\"/>",
        area.left, area.top, area.left, area.bottom
    );
    if let Some(x) = &chart.x_title {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#404040\">{}</text>",
            (area.left + area.right) / 2.0,
            HEIGHT - 20.0,
            esc(x)
        );
    }
    if let Some(y) = &chart.y_title {
        let (x, yy) = (22.0, (area.top + area.bottom) / 2.0);
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{yy}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#404040\" transform=\"rotate(-90 {x} {yy})\">{}</text>",
            esc(y)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_round_and_labels_group() {
        assert_eq!(axis(0.0, 1020.75), (0.0, 1250.0, 250.0));
        assert_eq!(axis(-35.0, 80.0), (-50.0, 100.0, 25.0));
        assert_eq!(axis(0.0, 0.0), (0.0, 1.0, 0.2));
        assert_eq!(label(1234567.0), "1,234,567");
        assert_eq!(label(2.5), "2.5");
        assert_eq!(label(-1500.0), "-1,500");
    }
}

#[cfg(test)]
mod drawing_tests {
    use super::*;

    fn chart(kind: &str, categories: &[&str], series: &[&[f64]]) -> Chart {
        serde_json::from_value(serde_json::json!({
            "type": kind, "title": "T & U", "categories": categories,
            "series": series.iter().enumerate().map(|(i, v)| serde_json::json!({"name": format!("s{i}"), "values": v})).collect::<Vec<_>>()
        }))
        .expect("chart")
    }

    /// Every element, so a test can count them; the SVG must be well-formed XML.
    fn elements(svg: &str) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut names = Vec::new();
        loop {
            match reader.read_event().expect("well-formed SVG") {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    names.push(e.local_name().into_inner().to_string())
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        names
    }

    #[test]
    fn each_kind_draws_its_marks() {
        let col = svg(&chart(
            "column",
            &["a", "b", "c"],
            &[&[1.0, 2.0, 3.0], &[3.0, -1.0, 0.5]],
        ))
        .expect("svg");
        let rects = elements(&col).iter().filter(|n| *n == "rect").count();
        // Background, six bars, two legend keys.
        assert_eq!(rects, 1 + 6 + 2);
        assert!(col.contains("T &amp; U"));
        let pie = svg(&chart("pie", &["a", "b"], &[&[3.0, 1.0]])).expect("svg");
        assert_eq!(elements(&pie).iter().filter(|n| *n == "path").count(), 2);
        assert!(pie.contains(">75%<") && pie.contains(">25%<"), "{pie}");
        let line = svg(&chart("line", &["a", "b", "c"], &[&[1.0, 2.0, 3.0]])).expect("svg");
        assert_eq!(
            elements(&line).iter().filter(|n| *n == "polyline").count(),
            1
        );
        let scatter = svg(&chart("scatter", &["1", "2.5", "4"], &[&[1.0, 2.0, 3.0]])).expect("svg");
        assert_eq!(
            elements(&scatter).iter().filter(|n| *n == "circle").count(),
            3
        );
        let bar = svg(&chart("bar", &["a", "b"], &[&[5.0, 7.0]])).expect("svg");
        assert_eq!(
            elements(&bar).iter().filter(|n| *n == "rect").count(),
            1 + 2
        );
    }

    #[test]
    fn bad_charts_name_the_field() {
        let e = svg(&chart("column", &["a", "b"], &[&[1.0]]))
            .expect_err("mismatch")
            .to_string();
        assert!(
            e.contains("series[0].values: 1 values for 2 categories"),
            "{e}"
        );
        let e = svg(&chart("scatter", &["x"], &[&[1.0]]))
            .expect_err("text x")
            .to_string();
        assert!(e.contains("numbers along x"), "{e}");
        let e = svg(&chart("pie", &["a"], &[&[-1.0]]))
            .expect_err("negative")
            .to_string();
        assert!(e.contains("zero or more"), "{e}");
    }
}
