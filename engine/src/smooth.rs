//! The one smoother and the one declicker every live control goes through.
//!
//! - [`Smoother`]: a continuous parameter glides linearly to each new target in
//!   [`SMOOTHING_SECONDS`] (gains are smoothed in dB by their owners).
//! - [`Declick`]: an on/off gain (mute, solo, bypass, transport) ramps between 0
//!   and 1 in [`DECLICK_SECONDS`] instead of jumping, or fades out within an
//!   exact number of samples (the transport's loop wrap).
//!
//! Both are plain state machines: no allocation, realtime-safe.

/// How long a continuous parameter takes to reach a new value.
pub const SMOOTHING_SECONDS: f64 = 0.005;

/// How long an on/off switch takes to fade.
pub const DECLICK_SECONDS: f64 = 0.005;

/// Samples in `seconds` at `rate`, at least 1.
pub fn ramp_samples(seconds: f64, rate: u32) -> u32 {
    ((seconds * f64::from(rate)).round() as u32).max(1)
}

/// A value that moves linearly to its target over a fixed number of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoother {
    value: f64,
    target: f64,
    step: f64,
    remaining: u32,
    ramp: u32,
}

impl Smoother {
    /// A settled smoother at `value` whose ramps take `ramp` samples.
    pub fn new(value: f64, ramp: u32) -> Smoother {
        Smoother { value, target: value, step: 0.0, remaining: 0, ramp: ramp.max(1) }
    }

    /// Starts a glide from the current value to `target` (no-op if it is already the target).
    pub fn set_target(&mut self, target: f64) {
        self.ramp_to(target, self.ramp);
    }

    /// Starts a glide to `target` that lasts exactly `samples` samples.
    pub fn ramp_to(&mut self, target: f64, samples: u32) {
        if target == self.target && (self.remaining > 0 || self.value == target) {
            return;
        }
        self.target = target;
        self.remaining = samples.max(1);
        self.step = (target - self.value) / f64::from(self.remaining);
    }

    /// Glides to `target` over exactly `samples` samples, even if it was already
    /// gliding there on another schedule (automation's fixed grid).
    pub fn ramp_exactly(&mut self, target: f64, samples: u32) {
        self.target = target;
        self.remaining = samples.max(1);
        self.step = (target - self.value) / f64::from(self.remaining);
    }

    /// Jumps to `value` with no glide.
    pub fn jump(&mut self, value: f64) {
        *self = Smoother::new(value, self.ramp);
    }

    /// Continues from another smoother's current state (after a graph swap),
    /// gliding to this one's target.
    pub fn inherit(&mut self, old: &Smoother) {
        let target = self.target;
        *self = *old;
        self.set_target(target);
    }

    /// The current value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The value being glided to.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// Whether a glide is under way.
    pub fn is_moving(&self) -> bool {
        self.remaining > 0
    }

    /// Samples left in the current glide.
    pub fn remaining(&self) -> u32 {
        self.remaining
    }

    /// Advances `n` samples and returns the value reached.
    pub fn advance(&mut self, n: u32) -> f64 {
        if self.remaining == 0 {
            return self.value;
        }
        if n >= self.remaining {
            self.remaining = 0;
            self.value = self.target;
        } else {
            self.remaining -= n;
            self.value = self.target - self.step * f64::from(self.remaining);
        }
        self.value
    }
}

/// An on/off gain that fades instead of switching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Declick(Smoother);

impl Declick {
    /// A settled declicker, on (gain 1) or off (gain 0), fading over `ramp` samples.
    pub fn new(on: bool, ramp: u32) -> Declick {
        Declick(Smoother::new(if on { 1.0 } else { 0.0 }, ramp))
    }

    /// Fades towards on or off at the standard rate (a full fade takes the whole ramp).
    pub fn set(&mut self, on: bool) {
        let target = if on { 1.0 } else { 0.0 };
        let left = ((target - self.0.value()).abs() * f64::from(self.0.ramp)).ceil() as u32;
        self.0.ramp_to(target, left);
    }

    /// Fades to silence in exactly `samples` samples, whatever the current gain.
    pub fn fade_out_within(&mut self, samples: u32) {
        self.0.ramp_to(0.0, samples);
    }

    /// Glides the gain to `gain` (0 to 1) in exactly `samples` samples, on
    /// automation's grid (a mute lane's declicked steps).
    pub fn glide_exactly(&mut self, gain: f64, samples: u32) {
        self.0.ramp_exactly(gain, samples);
    }

    /// Jumps to on or off.
    pub fn jump(&mut self, on: bool) {
        self.0.jump(if on { 1.0 } else { 0.0 });
    }

    /// Continues from another declicker's state towards this one's target.
    pub fn inherit(&mut self, old: &Declick) {
        let on = self.0.target() > 0.5;
        self.0 = old.0;
        self.set(on);
    }

    /// The current gain.
    pub fn gain(&self) -> f64 {
        self.0.value()
    }

    /// Whether the target is "on".
    pub fn is_on(&self) -> bool {
        self.0.target() > 0.5
    }

    /// Whether a fade is under way.
    pub fn is_moving(&self) -> bool {
        self.0.is_moving()
    }

    /// Samples left in the current fade.
    pub fn remaining(&self) -> u32 {
        self.0.remaining()
    }

    /// Whether the gain is exactly 0 and staying there.
    pub fn is_silent(&self) -> bool {
        !self.0.is_moving() && self.0.value() == 0.0
    }

    /// Advances `n` samples and returns the gain reached.
    pub fn advance(&mut self, n: u32) -> f64 {
        self.0.advance(n)
    }

    /// Writes the gain for each of the next `out.len()` samples (the gain after
    /// each sample's step, so a fade-out's last sample is the first at 0).
    pub fn fill(&mut self, out: &mut [f32]) {
        if !self.0.is_moving() {
            out.fill(self.0.value() as f32);
            return;
        }
        for o in out.iter_mut() {
            *o = self.0.advance(1) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glide_is_linear_and_lands_exactly_on_the_target() {
        let mut s = Smoother::new(0.0, 4);
        s.set_target(1.0);
        let v: Vec<f64> = (0..6).map(|_| s.advance(1)).collect();
        assert_eq!(v, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        assert!(!s.is_moving());
    }

    #[test]
    fn advancing_in_chunks_matches_advancing_sample_by_sample() {
        let mut a = Smoother::new(-20.0, 240);
        let mut b = a;
        a.set_target(3.0);
        b.set_target(3.0);
        for _ in 0..16 {
            a.advance(1);
        }
        assert!((a.value() - b.advance(16)).abs() < 1e-12);
    }

    #[test]
    fn a_new_target_mid_glide_starts_from_where_the_value_is() {
        let mut s = Smoother::new(0.0, 10);
        s.set_target(10.0);
        s.advance(5);
        s.set_target(0.0);
        assert_eq!(s.value(), 5.0);
        assert_eq!(s.advance(10), 0.0);
    }

    #[test]
    fn a_declick_reversed_mid_fade_takes_only_the_distance_left() {
        let mut d = Declick::new(true, 100);
        d.set(false);
        d.advance(30);
        d.set(true);
        assert_eq!(d.remaining(), 30);
        let mut g = [0f32; 200];
        d.fill(&mut g);
        assert!((g[29] - 1.0).abs() < 1e-6 && g.windows(2).all(|w| w[1] >= w[0]));
    }

    #[test]
    fn fade_out_within_reaches_silence_on_the_given_sample() {
        let mut d = Declick::new(true, 100);
        d.fade_out_within(7);
        let mut g = [1f32; 8];
        d.fill(&mut g);
        assert!(g[5] > 0.0 && g[6] == 0.0 && g[7] == 0.0);
    }
}
