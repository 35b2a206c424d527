//! The goniometer (vectorscope) of the master: its last [`SCOPE_POINTS`]
//! frames as points, mid up and side across, so a mono signal draws a
//! vertical line, the left channel alone the upper-left diagonal, the right
//! alone the upper-right one, and a channel out of phase a horizontal line.
//! Filled by the analysis thread from the master's tap (see [`super::tap`]);
//! the ring is allocated once, feeding it never allocates.

/// Frames the goniometer keeps (about 21 ms at 48 kHz).
pub const SCOPE_POINTS: usize = 1024;

/// The last [`SCOPE_POINTS`] frames of a stereo signal as goniometer points.
#[derive(Debug, Clone)]
pub struct Goniometer {
    points: Box<[[f32; 2]]>,
    at: usize,
    filled: usize,
}

impl Default for Goniometer {
    fn default() -> Self {
        Goniometer::new()
    }
}

impl Goniometer {
    /// An empty goniometer.
    pub fn new() -> Goniometer {
        Goniometer { points: vec![[0.0; 2]; SCOPE_POINTS].into(), at: 0, filled: 0 }
    }

    /// The point of one frame: `[(R - L) / sqrt 2, (L + R) / sqrt 2]`, so a
    /// full-scale mono frame reaches 1.414 up (the display scales it).
    pub fn point(l: f32, r: f32) -> [f32; 2] {
        let k = std::f32::consts::FRAC_1_SQRT_2;
        [(r - l) * k, (l + r) * k]
    }

    /// Takes in a block of frames (only the last [`SCOPE_POINTS`] matter).
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        let n = l.len().min(r.len());
        let skip = n.saturating_sub(SCOPE_POINTS);
        for (a, b) in l[skip..n].iter().zip(&r[skip..n]) {
            self.points[self.at] = Goniometer::point(*a, *b);
            self.at = (self.at + 1) % SCOPE_POINTS;
        }
        self.filled = (self.filled + n - skip).min(SCOPE_POINTS);
    }

    /// The points kept, oldest first.
    pub fn points(&self) -> impl Iterator<Item = [f32; 2]> + '_ {
        let start = (self.at + SCOPE_POINTS - self.filled) % SCOPE_POINTS;
        (0..self.filled).map(move |i| self.points[(start + i) % SCOPE_POINTS])
    }

    /// Forgets every point (the transport stopped: nothing plays).
    pub fn clear(&mut self) {
        self.filled = 0;
    }
}
