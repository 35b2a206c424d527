//! A fixed-capacity delay line (ring buffer), allocated once, for lookahead,
//! plugin delay compensation and effect delays. Realtime-safe after `new`.

/// A ring buffer of `f32` that delays by a whole number of samples.
#[derive(Debug, Clone)]
pub struct DelayLine {
    buf: Vec<f32>,
    /// Where the next sample is written.
    write: usize,
}

impl DelayLine {
    /// A silent line that can delay by up to `max_delay` samples.
    pub fn new(max_delay: usize) -> DelayLine {
        DelayLine { buf: vec![0.0; max_delay + 1], write: 0 }
    }

    /// The longest delay it holds.
    pub fn max_delay(&self) -> usize {
        self.buf.len() - 1
    }

    /// Writes `x` and returns the sample written `delay` samples earlier
    /// (`delay` at most [`DelayLine::max_delay`]; 0 returns `x`).
    #[inline]
    pub fn push(&mut self, x: f32, delay: usize) -> f32 {
        let len = self.buf.len();
        self.buf[self.write] = x;
        let read = if self.write >= delay { self.write - delay } else { self.write + len - delay };
        self.write = if self.write + 1 == len { 0 } else { self.write + 1 };
        self.buf[read]
    }

    /// Writes `x` without reading.
    #[inline]
    pub fn write(&mut self, x: f32) {
        self.buf[self.write] = x;
        self.write = if self.write + 1 == self.buf.len() { 0 } else { self.write + 1 };
    }

    /// The sample written `delay` samples before the last write (1 = the last one).
    #[inline]
    pub fn tap(&self, delay: usize) -> f32 {
        let len = self.buf.len();
        let i = (self.write + len - delay % len) % len;
        self.buf[i]
    }

    /// The signal `delay` samples ago, linearly interpolated for fractional delays
    /// (`delay` from 1 to `max_delay`).
    #[inline]
    pub fn tap_frac(&self, delay: f32) -> f32 {
        let d = delay.max(1.0);
        let i = d as usize;
        let frac = d - i as f32;
        let a = self.tap(i);
        let b = self.tap((i + 1).min(self.max_delay()));
        a + (b - a) * frac
    }

    /// Delays a block in place by `delay` samples.
    pub fn process(&mut self, buf: &mut [f32], delay: usize) {
        if delay == 0 {
            return;
        }
        for x in buf {
            *x = self.push(*x, delay);
        }
    }

    /// Writes a block without reading (keeps the history current while the
    /// delayed signal is not needed).
    pub fn feed(&mut self, buf: &[f32]) {
        for &x in buf {
            self.write(x);
        }
    }

    /// Fills the line with silence.
    pub fn clear(&mut self) {
        self.buf.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_by_exactly_the_asked_samples() {
        let mut d = DelayLine::new(5);
        let out: Vec<f32> = (1..=8).map(|i| d.push(i as f32, 3)).collect();
        assert_eq!(out, [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(d.tap(1), 8.0);
        assert_eq!(d.tap(5), 4.0);
        assert_eq!(d.tap_frac(1.5), 7.5);
    }
}
