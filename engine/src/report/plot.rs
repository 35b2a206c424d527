//! `OUT.report.png`: loudness over time above, the long-term spectrum below,
//! drawn with plotters into memory and encoded as PNG. Text uses the bundled
//! DejaVu Sans, so the picture is the same on every machine.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::Report;
use super::preflight::clock;

/// Picture size in pixels.
const SIZE: (u32, u32) = (1200, 800);

const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

const BACKGROUND: RGBColor = RGBColor(24, 26, 31);
const PANEL: RGBColor = RGBColor(32, 35, 42);
const GRID: RGBColor = RGBColor(58, 62, 72);
const TEXT: RGBColor = RGBColor(214, 218, 226);
const MOMENTARY: RGBColor = RGBColor(92, 132, 180);
const SHORT_TERM: RGBColor = RGBColor(240, 176, 64);
const INTEGRATED: RGBColor = RGBColor(110, 200, 130);
const SPECTRUM: RGBColor = RGBColor(120, 180, 240);

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Draws the report's picture and returns the PNG bytes.
pub(super) fn render_png(r: &Report) -> Result<Vec<u8>, String> {
    register();
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(r, &mut rgb).map_err(|e| format!("cannot draw the report picture: {e}"))?;
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    }
    Ok(png_bytes)
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(r: &Report, rgb: &mut [u8]) -> DrawResult {
    let root = BitMapBackend::with_buffer(rgb, SIZE).into_drawing_area();
    root.fill(&BACKGROUND)?;
    let a = &r.analysis;
    let title = format!(
        "{}   {}   {}   {}",
        a.file
            .as_ref()
            .and_then(|f| f.file_name())
            .map_or_else(|| "mix".into(), |f| f.to_string_lossy().into_owned()),
        a.integrated_lufs.map_or_else(|| "silent".into(), |i| format!("{i:.1} LUFS integrated")),
        a.true_peak_dbtp.map_or_else(String::new, |t| format!("{t:.1} dBTP true peak")),
        a.loudness_range_lu.map_or_else(String::new, |l| format!("LRA {l:.1} LU")),
    );
    let (header, body) = root.split_vertically(44);
    header.draw(&Text::new(title, (16, 12), ("sans-serif", 22).into_font().color(&TEXT)))?;
    let (top, bottom) = body.split_vertically((SIZE.1 - 44) / 2);
    draw_loudness(r, &top)?;
    draw_spectrum(r, &bottom)?;
    root.present()?;
    Ok(())
}

/// The grid, labels and axis descriptions in the report's style.
macro_rules! styled_mesh {
    ($chart:expr, $x_desc:expr, $y_desc:expr, $x_fmt:expr) => {
        $chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(PANEL)
            .axis_style(GRID)
            .label_style(("sans-serif", 14).into_font().color(&TEXT))
            .axis_desc_style(("sans-serif", 14).into_font().color(&TEXT))
            .x_desc($x_desc)
            .y_desc($y_desc)
            .x_label_formatter($x_fmt)
            .draw()?
    };
}

fn draw_loudness<DB: DrawingBackend>(r: &Report, area: &DrawingArea<DB, plotters::coord::Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.fill(&PANEL)?;
    let hist = &r.curves.loudness;
    let len = r.analysis.seconds.max(1.0);
    let mut chart = ChartBuilder::on(area)
        .caption("Loudness (EBU R 128)", ("sans-serif", 18).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..len, -60f64..0f64)?;
    styled_mesh!(chart, "time", "LUFS", &|t: &f64| clock(*t));
    let series = |pick: fn(&crate::analysis::LoudnessPoint) -> Option<f64>| {
        hist.iter().filter_map(move |p| pick(p).map(|v| (p.seconds, v.clamp(-60.0, 0.0)))).collect::<Vec<_>>()
    };
    chart
        .draw_series(LineSeries::new(series(|p| p.momentary), MOMENTARY.stroke_width(1)))?
        .label("momentary (400 ms)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], MOMENTARY.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(series(|p| p.short_term), SHORT_TERM.stroke_width(2)))?
        .label("short-term (3 s)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], SHORT_TERM.stroke_width(2)));
    if let Some(i) = r.analysis.integrated_lufs {
        chart
            .draw_series(LineSeries::new(vec![(0.0, i), (len, i)], INTEGRATED.stroke_width(2)))?
            .label(format!("integrated {i:.1} LUFS"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], INTEGRATED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(BACKGROUND.mix(0.8))
        .border_style(GRID)
        .label_font(("sans-serif", 14).into_font().color(&TEXT))
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    Ok(())
}

fn draw_spectrum<DB: DrawingBackend>(r: &Report, area: &DrawingArea<DB, plotters::coord::Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.fill(&PANEL)?;
    let top = r.curves.spectrum.iter().map(|p| f64::from(p.db)).fold(-120.0f64, f64::max);
    let y_max = ((top / 10.0).ceil() * 10.0).clamp(-60.0, 10.0);
    let mut chart = ChartBuilder::on(area)
        .caption("Long-term spectrum (1/6 octave)", ("sans-serif", 18).into_font().color(&TEXT))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d((20f64..20_000f64).log_scale(), (y_max - 80.0)..y_max)?;
    styled_mesh!(chart, "frequency", "dB", &|f: &f64| {
        if *f >= 1000.0 { format!("{}k", f / 1000.0) } else { format!("{f}") }
    });
    let floor = y_max - 80.0;
    let pts: Vec<(f64, f64)> = r.curves.spectrum.iter().map(|p| (p.hz, f64::from(p.db).max(floor))).collect();
    chart.draw_series(AreaSeries::new(pts.clone(), floor, SPECTRUM.mix(0.25)))?;
    chart.draw_series(LineSeries::new(pts, SPECTRUM.stroke_width(2)))?;
    Ok(())
}
