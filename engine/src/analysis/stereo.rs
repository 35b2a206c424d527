//! Phase correlation and balance of a stereo signal, over 100 ms steps.
//!
//! Correlation is Pearson's coefficient of left and right (without removing the
//! mean): +1 mono, 0 unrelated, -1 one channel inverted. Balance is the left
//! channel's energy over the right's in dB (positive leans left).

/// Sums of one 100 ms step.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    ll: f64,
    rr: f64,
    lr: f64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.ll += o.ll;
        self.rr += o.rr;
        self.lr += o.lr;
    }

    fn correlation(&self) -> Option<f64> {
        let d = (self.ll * self.rr).sqrt();
        (d > 0.0).then(|| (self.lr / d).clamp(-1.0, 1.0))
    }

    fn balance_db(&self) -> Option<f64> {
        (self.ll > 0.0 && self.rr > 0.0).then(|| 10.0 * (self.ll / self.rr).log10())
    }
}

/// Steps kept: 3 s.
const KEPT: usize = 30;

/// Running correlation and balance over the last 400 ms and 3 s, and over everything.
#[derive(Debug, Clone)]
pub struct StereoMeter {
    step: usize,
    current: Sums,
    filled: usize,
    ring: [Sums; KEPT],
    at: usize,
    total: Sums,
    /// Lowest 3 s correlation seen while the signal was above the floor, and when (seconds).
    worst: Option<(f64, f64)>,
    steps: u64,
    /// Mean square per channel below which a window counts as silence.
    floor: f64,
}

impl StereoMeter {
    /// A meter for `sample_rate`; windows quieter than -50 dBFS RMS are not judged.
    pub fn new(sample_rate: u32) -> StereoMeter {
        StereoMeter {
            step: (sample_rate / 10).max(1) as usize,
            current: Sums::default(),
            filled: 0,
            ring: [Sums::default(); KEPT],
            at: 0,
            total: Sums::default(),
            worst: None,
            steps: 0,
            floor: 10f64.powf(-50.0 / 10.0),
        }
    }

    /// Takes in a block of frames.
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        for (&a, &b) in l.iter().zip(r) {
            let (a, b) = (f64::from(a), f64::from(b));
            self.current.ll += a * a;
            self.current.rr += b * b;
            self.current.lr += a * b;
            self.filled += 1;
            if self.filled == self.step {
                self.close_step();
            }
        }
    }

    fn close_step(&mut self) {
        let s = std::mem::take(&mut self.current);
        self.filled = 0;
        self.total.add(&s);
        self.ring[self.at] = s;
        self.at = (self.at + 1) % KEPT;
        self.steps += 1;
        if self.steps >= KEPT as u64 {
            let w = self.window(KEPT);
            let n = (KEPT * self.step) as f64;
            let loud = w.ll / n > self.floor && w.rr / n > self.floor;
            if let Some(c) = w.correlation().filter(|_| loud) {
                let t = self.steps as f64 * 0.1;
                if self.worst.is_none_or(|(m, _)| c < m) {
                    self.worst = Some((c, t - 3.0));
                }
            }
        }
    }

    fn window(&self, steps: usize) -> Sums {
        let mut w = Sums::default();
        for i in 0..steps.min(KEPT) {
            w.add(&self.ring[(self.at + KEPT - 1 - i) % KEPT]);
        }
        w
    }

    /// Correlation over the last 400 ms (`None` in silence).
    pub fn correlation(&self) -> Option<f64> {
        self.window(4).correlation()
    }

    /// Balance over the last 400 ms in dB (`None` if a channel is silent).
    pub fn balance_db(&self) -> Option<f64> {
        self.window(4).balance_db()
    }

    /// Correlation over everything so far.
    pub fn overall_correlation(&self) -> Option<f64> {
        self.total.correlation()
    }

    /// Balance over everything so far, in dB.
    pub fn overall_balance_db(&self) -> Option<f64> {
        self.total.balance_db()
    }

    /// The lowest correlation of any 3 s window above -50 dBFS RMS, and its start in seconds.
    pub fn worst_3s(&self) -> Option<(f64, f64)> {
        self.worst
    }
}
