//! What the editors' plots (EQ response, compressor curve, noise profile)
//! share: their colours and the frequency axis's labels.

use plotters::style::RGBColor;

/// Grid lines.
pub const GRID: RGBColor = RGBColor(0x3a, 0x40, 0x48);
/// Axes and their labels.
pub const LABEL: RGBColor = RGBColor(0x8c, 0x93, 0x9d);
/// The curve a plot is about.
pub const CURVE: RGBColor = RGBColor(0x7f, 0xc8, 0xf8);

/// A frequency axis label: `250`, `2k`.
pub fn hz_label(f: &f64) -> String {
    if *f >= 1000.0 { format!("{:.0}k", f / 1000.0) } else { format!("{f:.0}") }
}
