//! The monitor's DSP on the audio thread: [`MonitorVoice`] runs one
//! [`MonitorProgram`] (also offline, for `mixdesk render --monitor`);
//! [`MonitorStage`] takes new programs from its queue and crossfades from
//! the old voice to the new one over [`FADE_SECONDS`].

use rtrb::Consumer;

use super::ir::IrConvolver;
use super::systems::MAX_SECTIONS;
use super::{Listen, MonitorProgram};
use crate::dsp::biquad::run_cascade;

/// How long a switch crossfades, seconds.
pub const FADE_SECONDS: f64 = 0.010;

/// Programs the queue to the stage holds (latest wins; a full queue refuses).
pub const PROGRAM_CAPACITY: usize = 64;

/// One program with its filter state.
#[derive(Debug, Clone, Copy)]
pub struct MonitorVoice {
    program: MonitorProgram,
    state: [[[f64; 2]; 2]; MAX_SECTIONS],
}

impl MonitorVoice {
    /// A voice for `program`, its filters at rest.
    pub fn new(program: MonitorProgram) -> MonitorVoice {
        MonitorVoice { program, state: [[[0.0; 2]; 2]; MAX_SECTIONS] }
    }

    /// The program it runs.
    pub fn program(&self) -> &MonitorProgram {
        &self.program
    }

    /// Runs the program over a stereo block of the mix in place; when it
    /// listens to the reference, `reference` (the same length; silence when
    /// there is none) replaces the mix, at the matching gain. Realtime-safe.
    pub fn process_with(&mut self, l: &mut [f32], r: &mut [f32], reference: Option<(&[f32], &[f32])>) {
        if self.program.listen == Listen::Reference {
            let g = self.program.reference_gain;
            match reference {
                Some((rl, rr)) => {
                    for (o, x) in l.iter_mut().zip(rl).chain(r.iter_mut().zip(rr)) {
                        *o = x * g;
                    }
                }
                None => {
                    l.fill(0.0);
                    r.fill(0.0);
                }
            }
        }
        self.process(l, r);
    }

    /// Runs the program over a stereo block in place (the mix; see
    /// [`MonitorVoice::process_with`] for the reference). Realtime-safe.
    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let p = &self.program;
        if p.matrix != MonitorProgram::IDENTITY.matrix {
            let [[a, b], [c, d]] = p.matrix;
            for (x, y) in l.iter_mut().zip(r.iter_mut()) {
                let (ll, rr) = (*x, *y);
                *x = a * ll + b * rr;
                *y = c * ll + d * rr;
            }
        }
        if p.len > 0 {
            run_cascade(&p.sections[..p.len], &mut self.state[..p.len], &mut [&mut *l, &mut *r]);
        }
        if p.gain != 1.0 {
            let g = p.gain;
            l.iter_mut().chain(r.iter_mut()).for_each(|x| *x *= g);
        }
    }
}

/// The stage in the live callback.
#[derive(Debug)]
pub struct MonitorStage {
    programs: Consumer<MonitorProgram>,
    now: MonitorVoice,
    /// The voice fading out while `fade` > 0.
    old: MonitorVoice,
    /// The newest program not yet started (it waits for a fade to end).
    pending: Option<MonitorProgram>,
    fade: usize,
    fade_len: usize,
    scratch: [Box<[f32]>; 2],
    /// The user impulse response, if the engine holds one.
    ir: Option<Box<IrConvolver>>,
    /// How far the response is mixed in now (0 dry .. 1 convolved), ramped
    /// toward the program's over the crossfade's length.
    ir_mix: f32,
    wet: [Box<[f32]>; 2],
}

impl MonitorStage {
    /// A stage passing the mix through, reading programs from `programs`,
    /// for blocks of at most `max_block` frames at `rate` Hz.
    pub fn new(programs: Consumer<MonitorProgram>, rate: u32, max_block: usize) -> MonitorStage {
        let voice = MonitorVoice::new(MonitorProgram::IDENTITY);
        MonitorStage {
            programs,
            now: voice,
            old: voice,
            pending: None,
            fade: 0,
            fade_len: ((FADE_SECONDS * f64::from(rate)) as usize).max(1),
            scratch: [vec![0.0; max_block].into(), vec![0.0; max_block].into()],
            ir: None,
            ir_mix: 0.0,
            wet: [vec![0.0; max_block].into(), vec![0.0; max_block].into()],
        }
    }

    /// Puts in a user impulse response (or takes it out), returning the old
    /// one for the caller to send away. It starts dry and ramps in if the
    /// program asks for it. Realtime-safe (nothing is dropped here).
    pub fn set_ir(&mut self, ir: Option<Box<IrConvolver>>) -> Option<Box<IrConvolver>> {
        self.ir_mix = 0.0;
        std::mem::replace(&mut self.ir, ir)
    }

    /// Mixes the impulse response in or out, ramping toward the program's
    /// setting by one crossfade length. Realtime-safe.
    fn run_ir(&mut self, l: &mut [f32], r: &mut [f32]) {
        let target = if self.now.program.ir { 1.0 } else { 0.0 };
        let Some(ir) = self.ir.as_mut() else { return };
        if target == 0.0 && self.ir_mix == 0.0 {
            return;
        }
        if self.ir_mix == 0.0 {
            // Engaged afresh: no tail from long ago.
            ir.reset();
        }
        let step = 1.0 / self.fade_len as f32;
        let max = self.wet[0].len().max(1);
        let mut done = 0;
        let n = l.len().min(r.len());
        while done < n {
            let k = (n - done).min(max);
            let (l, r) = (&mut l[done..done + k], &mut r[done..done + k]);
            let [wl, wr] = &mut self.wet;
            let (wl, wr) = (&mut wl[..k], &mut wr[..k]);
            wl.copy_from_slice(l);
            wr.copy_from_slice(r);
            ir.process(wl, wr);
            for i in 0..k {
                if self.ir_mix != target {
                    self.ir_mix = if target > self.ir_mix {
                        (self.ir_mix + step).min(1.0)
                    } else {
                        (self.ir_mix - step).max(0.0)
                    };
                }
                let g = self.ir_mix;
                l[i] += g * (wl[i] - l[i]);
                r[i] += g * (wr[i] - r[i]);
            }
            done += k;
        }
    }

    /// The rate changed (between streams): fades take as long as before.
    pub fn set_rate(&mut self, rate: u32) {
        self.fade_len = ((FADE_SECONDS * f64::from(rate)) as usize).max(1);
    }

    /// Takes the newest program sent (call once per run, before asking
    /// what the run needs). Realtime-safe.
    pub fn receive(&mut self) {
        while let Ok(p) = self.programs.pop() {
            self.pending = Some(p);
        }
        if self.fade == 0
            && let Some(p) = self.pending.take()
        {
            self.start(p);
        }
    }

    /// Whether the next run plays the reference (fully or in a crossfade).
    pub fn wants_reference(&self) -> bool {
        self.now.program.listen == Listen::Reference
            || (self.fade > 0 && self.old.program.listen == Listen::Reference)
            || self.pending.is_some_and(|p| p.listen == Listen::Reference)
    }

    /// Whether the reference runs on its own clock rather than the playhead.
    pub fn free_running(&self) -> bool {
        self.now.program.free_running
    }

    /// Runs the monitor over a block of the master in place: the newest
    /// program sent is crossfaded in. Realtime-safe.
    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        self.receive();
        self.process_with(l, r, None);
    }

    /// [`MonitorStage::process`] with the reference's block beside the mix's,
    /// for a caller that has already called [`MonitorStage::receive`] this
    /// run (the live callback asks `wants_reference` in between).
    /// Realtime-safe.
    pub fn process_with(&mut self, l: &mut [f32], r: &mut [f32], reference: Option<(&[f32], &[f32])>) {
        let n = l.len().min(r.len());
        let mut done = 0;
        while done < n {
            if self.fade == 0
                && let Some(p) = self.pending.take()
            {
                self.start(p);
            }
            let part = |a: usize, b: usize| reference.map(|(x, y)| (&x[a..b], &y[a..b]));
            if self.fade == 0 {
                self.now.process_with(&mut l[done..n], &mut r[done..n], part(done, n));
                break;
            }
            let k = self.fade.min(n - done).min(self.scratch[0].len());
            let reference = part(done, done + k);
            let (l, r) = (&mut l[done..done + k], &mut r[done..done + k]);
            let [sl, sr] = &mut self.scratch;
            let (sl, sr) = (&mut sl[..k], &mut sr[..k]);
            sl.copy_from_slice(l);
            sr.copy_from_slice(r);
            self.old.process_with(sl, sr, reference);
            self.now.process_with(l, r, reference);
            let step = 1.0 / self.fade_len as f32;
            let mut t = (self.fade_len - self.fade) as f32 * step;
            for i in 0..k {
                t += step;
                l[i] = sl[i] + t * (l[i] - sl[i]);
                r[i] = sr[i] + t * (r[i] - sr[i]);
            }
            self.fade -= k;
            done += k;
        }
        self.run_ir(&mut l[..n], &mut r[..n]);
    }

    fn start(&mut self, p: MonitorProgram) {
        if p == self.now.program {
            return;
        }
        self.old = self.now;
        // The same filters (a check or a gain changed): they carry on; else
        // the new ones start at rest while the old ones fade out.
        let same = p.active_sections() == self.now.program.active_sections();
        let state = if same { self.now.state } else { [[[0.0; 2]; 2]; MAX_SECTIONS] };
        self.now = MonitorVoice { program: p, state };
        self.fade = self.fade_len;
    }
}
