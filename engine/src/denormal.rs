//! Flush-to-zero for DSP (the audio callback and the bounce alike): with denormals on, a decaying filter or
//! reverb tail can slow the CPU down by orders of magnitude just before it falls
//! silent. The callback runs with FTZ/DAZ set (x86) or FZ (aarch64) and restores
//! the previous flags afterwards.

/// Runs `f` with denormal floats flushed to zero on this thread.
#[allow(unsafe_code)]
pub fn without_denormals<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: the flags are set and restored around `f` on the same thread (the
    // guard inside is !Send). Code in `f` is DSP that treats denormals as zero
    // anyway; it does not rely on gradual underflow or on the rounding mode,
    // which is left unchanged.
    unsafe { no_denormals::no_denormals(f) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denormal_results_become_zero_inside_and_not_outside() {
        let tiny = std::hint::black_box(f32::MIN_POSITIVE);
        let inside = without_denormals(|| std::hint::black_box(tiny) * std::hint::black_box(0.5));
        let outside = std::hint::black_box(tiny) * std::hint::black_box(0.5);
        assert_eq!(inside, 0.0);
        assert!(outside > 0.0 && !outside.is_normal());
    }
}
