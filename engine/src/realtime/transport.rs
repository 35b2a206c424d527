//! The transport: play, stop, seek and loop, declicked.
//!
//! The transport's gain multiplies what the clips feed into the tracks (not the
//! master), so stopping or seeking fades the sources while reverb and delay
//! tails on buses ring on. Every jump happens at the bottom of a fade:
//!
//! - play: fade in from silence;
//! - stop: fade out, then hold the position where the fade ended;
//! - seek while playing: fade out, jump, fade in;
//! - loop: fade out so that silence is reached exactly at the loop's end, jump
//!   to its start, fade in;
//! - the end (the session's, when one is set and playback is not looping):
//!   fade out so that silence is reached exactly there, then stop and hold the
//!   playhead there. Playing from at or past the end rolls on.

use crate::smooth::Declick;

/// How the next run of samples is fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// The timeline position of the run, or `None` for silence (stopped).
    pub pos: Option<u64>,
    /// Frames in the run.
    pub len: usize,
    /// Whether the gain buffer varies over the run (else it is all 1).
    pub fading: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pos: u64,
    /// The user's intent: rolling (possibly fading in or out on the way to a jump).
    playing: bool,
    gain: Declick,
    /// Where to jump when the current fade-out reaches silence.
    jump: Option<u64>,
    /// Stop when the current fade-out reaches silence.
    stop_after: bool,
    loop_range: Option<(u64, u64)>,
    loop_on: bool,
    /// Where playback stops by itself when it is not looping.
    end: Option<u64>,
    ramp: u32,
    /// A fade-in from silence starts at `pos` with the next step (play from
    /// stopped, or a jump): the caller may hold it until the media there is
    /// loaded.
    starting: bool,
}

impl Transport {
    pub fn new(ramp: u32) -> Transport {
        Transport {
            pos: 0,
            playing: false,
            gain: Declick::new(false, ramp),
            jump: None,
            stop_after: false,
            loop_range: None,
            loop_on: false,
            end: None,
            ramp,
            starting: false,
        }
    }

    /// Where a fade-in from silence is about to start, if one is (play from
    /// stopped, after a seek's or a loop's jump): the audio core holds it there
    /// until the streamed media at that position is loaded.
    pub fn starting_at(&self) -> Option<u64> {
        self.starting.then_some(self.pos)
    }

    /// The loop range while looping is on.
    pub fn loop_range(&self) -> Option<(u64, u64)> {
        self.loop_range.filter(|_| self.loop_on)
    }

    /// Converts every position from `from` Hz to `to` Hz samples (the
    /// device's rate changed).
    pub fn rescale(&mut self, from: u32, to: u32) {
        let at = |p: u64| (u128::from(p) * u128::from(to) / u128::from(from.max(1))) as u64;
        self.pos = at(self.pos);
        self.jump = self.jump.map(at);
        self.loop_range = self.loop_range.map(|(a, b)| (at(a), at(b)));
        self.end = self.end.map(at);
    }

    /// The playhead: the timeline sample the next run starts at.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Whether the transport is rolling or fading.
    pub fn is_playing(&self) -> bool {
        self.playing || !self.gain.is_silent()
    }

    pub fn play(&mut self) {
        self.starting |= !self.playing && self.gain.is_silent() && self.jump.is_none();
        self.playing = true;
        self.stop_after = false;
        if self.jump.is_none() {
            self.gain.set(true);
        }
    }

    pub fn stop(&mut self) {
        if self.playing {
            self.stop_after = true;
            self.gain.set(false);
        }
    }

    pub fn seek(&mut self, pos: u64) {
        if self.gain.is_silent() {
            self.pos = pos;
            self.jump = None;
            self.starting |= self.playing;
        } else {
            self.jump = Some(pos);
            self.gain.set(false);
        }
    }

    pub fn set_loop(&mut self, range: Option<(u64, u64)>, enabled: bool) {
        self.loop_range = range.filter(|(a, b)| b > a);
        self.loop_on = enabled;
    }

    /// Where playback stops by itself when not looping (`None`: it never does).
    pub fn set_end(&mut self, end: Option<u64>) {
        self.end = end;
    }

    /// Plans the next run of at most `max` frames and moves the playhead past it.
    /// While fading, writes the run's per-sample gain into `gain[..len]` (a run
    /// at full level leaves `gain` alone). Realtime-safe.
    pub fn step(&mut self, max: usize, gain: &mut [f32]) -> Step {
        if !self.playing && self.gain.is_silent() {
            return Step { pos: None, len: max, fading: false };
        }
        self.starting = false;
        let pos = self.pos;
        let mut len = max as u64;
        if let (true, Some((start, end))) = (self.loop_on, self.loop_range)
            && pos < end
            && self.jump.is_none()
            && !self.stop_after
        {
            let to_end = end - pos;
            if to_end <= u64::from(self.ramp) {
                // Reach silence exactly at the loop's end, then wrap.
                self.gain.fade_out_within(to_end as u32);
                self.jump = Some(start);
            } else {
                len = len.min(to_end - u64::from(self.ramp));
            }
        }
        let looping = self.loop_on && self.loop_range.is_some_and(|(_, end)| pos < end);
        if let Some(end) = self.end
            && !looping
            && self.playing
            && pos < end
            && self.jump.is_none()
            && !self.stop_after
        {
            let to_end = end - pos;
            if to_end <= u64::from(self.ramp) {
                // Reach silence exactly at the end, then stop there.
                self.gain.fade_out_within(to_end as u32);
                self.stop_after = true;
            } else {
                len = len.min(to_end - u64::from(self.ramp));
            }
        }
        if self.gain.is_moving() {
            len = len.min(u64::from(self.gain.remaining()));
        }
        let len = len as usize;
        let fading = self.gain.is_moving();
        if fading {
            self.gain.fill(&mut gain[..len]);
        }
        self.pos += len as u64;
        if self.gain.is_silent() {
            if let Some(j) = self.jump.take() {
                self.pos = j;
            }
            if self.stop_after {
                self.stop_after = false;
                self.playing = false;
            } else if self.playing {
                self.gain.set(true);
                self.starting = true;
            }
        }
        Step { pos: Some(pos), len, fading }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the transport for `frames`, returning (position, gain) per sample (None = stopped).
    fn run(t: &mut Transport, frames: usize) -> Vec<Option<(u64, f32)>> {
        let mut out = Vec::new();
        let mut g = vec![0f32; 64];
        while out.len() < frames {
            let s = t.step(64.min(frames - out.len()), &mut g);
            for i in 0..s.len {
                out.push(s.pos.map(|p| (p + i as u64, if s.fading { g[i] } else { 1.0 })));
            }
        }
        out
    }

    #[test]
    fn play_fades_in_and_stop_fades_out_then_holds() {
        let mut t = Transport::new(10);
        assert_eq!(run(&mut t, 5), vec![None; 5]);
        t.play();
        let a = run(&mut t, 20);
        assert_eq!(a[0], Some((0, 0.1)));
        assert_eq!(a[9], Some((9, 1.0)));
        t.stop();
        let b = run(&mut t, 15);
        assert_eq!(b[0], Some((20, 0.9)));
        assert_eq!(b[9], Some((29, 0.0)));
        assert_eq!(b[10], None);
        assert_eq!(t.position(), 30);
    }

    #[test]
    fn seek_while_playing_jumps_at_the_bottom_of_the_fade() {
        let mut t = Transport::new(4);
        t.play();
        run(&mut t, 10);
        t.seek(1000);
        let s = run(&mut t, 8);
        let got: Vec<_> = s.iter().map(|x| x.unwrap()).collect();
        assert_eq!(got[..4], [(10, 0.75), (11, 0.5), (12, 0.25), (13, 0.0)]);
        assert_eq!(got[4..], [(1000, 0.25), (1001, 0.5), (1002, 0.75), (1003, 1.0)]);
    }

    #[test]
    fn a_loop_reaches_silence_exactly_at_its_end_and_restarts_at_its_start() {
        let mut t = Transport::new(4);
        t.set_loop(Some((100, 120)), true);
        t.seek(100);
        t.play();
        let s: Vec<_> = run(&mut t, 30).into_iter().map(|x| x.unwrap()).collect();
        assert_eq!(s[19], (119, 0.0));
        assert_eq!(s[15], (115, 1.0));
        assert_eq!(s[20], (100, 0.25));
        assert!(s.iter().all(|(p, _)| (100..120).contains(p)));
    }

    #[test]
    fn a_fade_in_from_silence_says_where_it_starts_until_it_is_stepped() {
        let mut t = Transport::new(4);
        assert_eq!(t.starting_at(), None);
        t.seek(50);
        t.play();
        assert_eq!(t.starting_at(), Some(50), "play from stopped");
        run(&mut t, 10);
        assert_eq!(t.starting_at(), None);
        t.seek(1000);
        run(&mut t, 4); // the fade out, then the jump
        assert_eq!(t.starting_at(), Some(1000), "after a seek's jump");
        assert_eq!(run(&mut t, 1)[0], Some((1000, 0.25)));
        t.set_loop(Some((1000, 1020)), true);
        run(&mut t, 19);
        assert_eq!(t.starting_at(), Some(1000), "after the loop's jump");
    }

    #[test]
    fn a_change_of_rate_keeps_the_playhead_and_the_loop_at_the_same_time() {
        let mut t = Transport::new(4);
        t.seek(96_000);
        t.set_loop(Some((48_000, 144_000)), true);
        t.rescale(48_000, 44_100);
        assert_eq!(t.position(), 88_200);
        assert_eq!(t.loop_range, Some((44_100, 132_300)));
    }

    #[test]
    fn seek_while_stopped_moves_at_once() {
        let mut t = Transport::new(4);
        t.seek(500);
        assert_eq!(t.position(), 500);
        t.play();
        assert_eq!(run(&mut t, 1)[0], Some((500, 0.25)));
    }

    #[test]
    fn playback_stops_at_the_end_unless_it_loops_and_rolls_on_from_past_it() {
        let mut t = Transport::new(4);
        t.set_end(Some(50));
        t.seek(30);
        t.play();
        let s = run(&mut t, 40);
        let played: Vec<_> = s.iter().flatten().copied().collect();
        assert_eq!(played.last(), Some(&(49, 0.0)), "silence reached exactly at the end");
        assert_eq!(played.len(), 20);
        assert!(!t.is_playing());
        assert_eq!(t.position(), 50);
        // Looping inside the range never reaches the end.
        t.set_loop(Some((10, 40)), true);
        t.seek(10);
        t.play();
        assert!(run(&mut t, 200).iter().all(|x| x.is_some_and(|(p, _)| (10..40).contains(&p))));
        // From the end on, it rolls.
        t.set_loop(None, false);
        t.seek(60);
        assert!(run(&mut t, 100).iter().all(Option::is_some));
        assert!(t.is_playing());
    }
}
