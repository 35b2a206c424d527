//! Autoregressive (linear prediction) models for audio restoration: fitting
//! a model to a stretch of signal, and filling a gap with the samples that
//! the model finds most likely given the audio either side of it
//! (least-squares AR interpolation, Vaseghi and Rayner; Godsill and Rayner,
//! "Digital Audio Restoration", chapter 5).
//!
//! Everything works in buffers allocated up front ([`ArScratch`]), so it runs
//! on the audio thread.

/// A model `x[n] + a[1] x[n-1] + ... + a[p] x[n-p] = e[n]` (`a[0]` is 1).
#[derive(Debug, Clone)]
pub struct ArModel {
    /// The coefficients `a[0..=p]`.
    pub a: Vec<f64>,
    /// `r_a[j] = sum_k a[k] a[k+j]`, the coefficients' autocorrelation.
    pub ra: Vec<f64>,
    /// `a` reversed (`a[p]` first), for the forward error as one dot product.
    reversed: Vec<f64>,
}

impl ArModel {
    /// A model of order `p` (all zeros until fitted).
    pub fn new(p: usize) -> ArModel {
        let mut a = vec![0.0; p + 1];
        a[0] = 1.0;
        ArModel { a, ra: vec![0.0; p + 1], reversed: vec![0.0; p + 1] }
    }

    /// The model's order.
    pub fn order(&self) -> usize {
        self.a.len() - 1
    }

    /// Fits the model to `x` by the autocorrelation method (Hann-windowed,
    /// Levinson-Durbin), with white noise `floor` times the signal's power
    /// added so that a pure tone still gives a well-conditioned model.
    /// Returns false (and leaves the model as it was) for silence.
    /// Realtime-safe: `windowed` holds at least `x.len()` values, `r` and
    /// `tmp` at least `p + 1`.
    pub fn fit(
        &mut self,
        x: &[f32],
        floor: f64,
        windowed: &mut [f64],
        r: &mut [f64],
        tmp: &mut [f64],
    ) -> bool {
        let n = x.len();
        let p = self.order();
        let windowed = &mut windowed[..n];
        for (i, (w, v)) in windowed.iter_mut().zip(x).enumerate() {
            let h = 0.5 - 0.5 * (std::f64::consts::TAU * (i as f64 + 0.5) / n as f64).cos();
            *w = h * f64::from(*v);
        }
        for (k, rk) in r[..=p].iter_mut().enumerate() {
            *rk = dot(&windowed[..n - k], &windowed[k..]);
        }
        if r[0].is_nan() || r[0] <= 1e-20 {
            return false;
        }
        r[0] *= 1.0 + floor;
        // Levinson-Durbin.
        let a = &mut self.a;
        a.fill(0.0);
        a[0] = 1.0;
        let mut err = r[0];
        for i in 1..=p {
            let acc: f64 = (0..i).map(|j| a[j] * r[i - j]).sum();
            let k = -acc / err;
            tmp[..=i].copy_from_slice(&a[..=i]);
            for j in 1..i {
                a[j] = tmp[j] + k * tmp[i - j];
            }
            a[i] = k;
            err *= 1.0 - k * k;
            if err <= 0.0 {
                return false;
            }
        }
        for j in 0..=p {
            self.ra[j] = (0..=p - j).map(|k| a[k] * a[k + j]).sum();
            self.reversed[j] = a[p - j];
        }
        true
    }

    /// The prediction error `e[n] = sum_k a[k] x[n-k]` for `n` in `range`
    /// (every `n - p` inside `x`), written to `e[n]`.
    pub fn excitation(&self, x: &[f64], range: std::ops::Range<usize>, e: &mut [f64]) {
        let p = self.order();
        for n in range {
            e[n] = dot(&self.reversed, &x[n - p..=n]);
        }
    }

    /// The backward prediction error `b[n] = sum_k a[k] x[n+k]` (the same
    /// model run backwards in time) for `n` in `range` (every `n + p` inside
    /// `x`), written to `b[n]`. A click from `n0` to `n1` disturbs the forward
    /// error from `n0` to `n1 + p` and the backward one from `n0 - p` to `n1`:
    /// both are large only on the click itself.
    pub fn backward(&self, x: &[f64], range: std::ops::Range<usize>, b: &mut [f64]) {
        let p = self.order();
        for n in range {
            b[n] = dot(&self.a, &x[n..=n + p]);
        }
    }
}

/// `sum a[i] b[i]` over the shorter length, in four running sums (so the
/// additions overlap in the CPU).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..4 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Buffers for [`interpolate`], sized for gaps up to `max_gap` samples.
#[derive(Debug, Clone)]
pub struct ArScratch {
    max_gap: usize,
    /// The normal equations' matrix, then its Cholesky factor (row-major).
    m: Vec<f64>,
    rhs: Vec<f64>,
    e0: Vec<f64>,
}

impl ArScratch {
    /// Buffers for gaps up to `max_gap` samples with models up to order `p`.
    pub fn new(max_gap: usize, p: usize) -> ArScratch {
        ArScratch {
            max_gap,
            m: vec![0.0; max_gap * max_gap],
            rhs: vec![0.0; max_gap],
            e0: vec![0.0; max_gap + p + 1],
        }
    }

    /// The longest gap it can fill.
    pub fn max_gap(&self) -> usize {
        self.max_gap
    }
}

/// Replaces `x[gap]` by the values that minimise the model's prediction
/// error over the gap and the `p` samples after it, given the `p` samples
/// either side (which must be inside `x`). Returns false, leaving `x` as it
/// was, when the gap is longer than the scratch allows or the system is
/// singular. Realtime-safe.
pub fn interpolate(model: &ArModel, x: &mut [f32], gap: std::ops::Range<usize>, s: &mut ArScratch) -> bool {
    let (g0, m, p) = (gap.start, gap.len(), model.order());
    if m == 0 || m > s.max_gap || g0 < p || gap.end + p > x.len() {
        return false;
    }
    let a = &model.a;
    // The error with the gap set to zero, over n in [g0, g0 + m + p).
    for (i, e) in s.e0[..m + p].iter_mut().enumerate() {
        let n = g0 + i;
        *e = (0..=p).filter(|&k| !(g0..gap.end).contains(&(n - k))).map(|k| a[k] * f64::from(x[n - k])).sum();
    }
    // Normal equations: the Toeplitz matrix of r_a, right side -sum_k a[k] e0[i + k].
    for i in 0..m {
        for j in 0..m {
            let lag = i.abs_diff(j);
            s.m[i * m + j] = if lag <= p { model.ra[lag] } else { 0.0 };
        }
        s.rhs[i] = -(0..=p).map(|k| a[k] * s.e0[i + k]).sum::<f64>();
    }
    if !cholesky_solve(&mut s.m[..m * m], &mut s.rhs[..m], m) {
        return false;
    }
    for (i, v) in s.rhs[..m].iter().enumerate() {
        x[g0 + i] = *v as f32;
    }
    true
}

/// Solves `M y = b` for a symmetric positive-definite `M` (row-major, `n` x
/// `n`) in place: `b` becomes `y`. False if `M` is not positive definite.
fn cholesky_solve(m: &mut [f64], b: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = m[j * n + j];
        for k in 0..j {
            d -= m[j * n + k] * m[j * n + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        m[j * n + j] = d;
        for i in j + 1..n {
            let mut v = m[i * n + j];
            for k in 0..j {
                v -= m[i * n + k] * m[j * n + k];
            }
            m[i * n + j] = v / d;
        }
    }
    for i in 0..n {
        let mut v = b[i];
        for k in 0..i {
            v -= m[i * n + k] * b[k];
        }
        b[i] = v / m[i * n + i];
    }
    for i in (0..n).rev() {
        let mut v = b[i];
        for k in i + 1..n {
            v -= m[k * n + i] * b[k];
        }
        b[i] = v / m[i * n + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_in_a_sine_is_filled_with_the_sine() {
        let x: Vec<f32> = (0..1024)
            .map(|i| (0.5 * (i as f64 * 0.07).sin() + 0.2 * (i as f64 * 0.31).sin()) as f32)
            .collect();
        let mut model = ArModel::new(16);
        let (mut w, mut r, mut t) = (vec![0.0; 1024], vec![0.0; 17], vec![0.0; 17]);
        assert!(model.fit(&x, 1e-9, &mut w, &mut r, &mut t));
        let mut y = x.clone();
        y[500..540].fill(0.9);
        let mut s = ArScratch::new(64, 16);
        assert!(interpolate(&model, &mut y, 500..540, &mut s));
        let worst = x.iter().zip(&y).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-3, "the filled gap is off by {worst}");
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        let mut m = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        assert!(cholesky_solve(&mut m, &mut b, 2));
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
    }
}
