//! How a hosted plugin plays a strip's channels, the same for every format:
//! a stereo plugin takes a stereo strip as it is and a mono strip on both
//! inputs (its two outputs averaged back); a mono plugin runs one instance
//! per channel. Realtime-safe: only the plugin's preallocated buffers move.

/// A hosted plugin as [`play`] drives it.
pub(super) trait Instances {
    /// Whether the plugin has two inputs and two outputs (else one and one).
    fn stereo_plugin(&self) -> bool;
    /// Its input and output buffers, each at least a block long.
    fn buffers(&mut self) -> (&mut [Vec<f32>; 2], &mut [Vec<f32>; 2]);
    /// Runs instance `u` over `n` samples of its first `ins` input buffers into
    /// the first `nout` of `outs`.
    fn run(&mut self, u: usize, n: usize, ins: usize, outs: [&mut [f32]; 2], nout: usize);
}

/// Processes the first `n` samples of `io` in place through `p`. Realtime-safe.
pub(super) fn play(p: &mut impl Instances, io: &mut [&mut [f32]], n: usize) {
    match (io, p.stereo_plugin()) {
        ([l, r, ..], true) => {
            let (inputs, _) = p.buffers();
            inputs[0][..n].copy_from_slice(&l[..n]);
            inputs[1][..n].copy_from_slice(&r[..n]);
            p.run(0, n, 2, [&mut l[..n], &mut r[..n]], 2);
        }
        ([x], true) => {
            let (inputs, outputs) = p.buffers();
            inputs[0][..n].copy_from_slice(&x[..n]);
            inputs[1][..n].copy_from_slice(&x[..n]);
            // The outputs are the plugin's own buffers: move them out for the call.
            let (mut a, mut b) = (std::mem::take(&mut outputs[0]), std::mem::take(&mut outputs[1]));
            p.run(0, n, 2, [&mut a[..n], &mut b[..n]], 2);
            for ((y, s), t) in x[..n].iter_mut().zip(&a[..n]).zip(&b[..n]) {
                *y = 0.5 * (s + t);
            }
            *p.buffers().1 = [a, b];
        }
        (chans, false) => {
            for (c, x) in chans.iter_mut().take(2).enumerate() {
                p.buffers().0[0][..n].copy_from_slice(&x[..n]);
                p.run(c, n, 1, [&mut x[..n], &mut []], 1);
            }
        }
        ([], true) => {}
    }
}

/// Copies the first `n` samples of `key` into `dst`, where a plugin's
/// sidechain inputs read it: both channels as they are, or with `average`
/// (a stereo plugin with a one-channel sidechain) their mean in `dst[0]`;
/// silence without a key. Realtime-safe.
pub(super) fn take_key(dst: &mut [Vec<f32>; 2], key: Option<[&[f32]; 2]>, n: usize, average: bool) {
    let [kl, kr] = dst;
    let (kl, kr) = (&mut kl[..n], &mut kr[..n]);
    match key {
        None => {
            kl.fill(0.0);
            kr.fill(0.0);
        }
        Some([l, r]) if average => {
            for ((k, a), b) in kl.iter_mut().zip(&l[..n]).zip(&r[..n]) {
                *k = 0.5 * (a + b);
            }
        }
        Some([l, r]) => {
            kl.copy_from_slice(&l[..n]);
            kr.copy_from_slice(&r[..n]);
        }
    }
}
