//! A strip's insert chain: its processors in order, each bypassable with a
//! declicked crossfade, the sidechain each one is keyed by, and the latency
//! they add (compensated by the graph, see `schedule`), with the delays that
//! line each key up with the audio it keys: a pure delay before an insert
//! whose key arrives late, a delay on a key that arrives early.
//!
//! An insert in circuit is heard: its output replaces its input. A bypassed
//! processor with latency (the limiter's lookahead) keeps running and its dry
//! signal is delayed by the same amount, so bypassing never shifts the strip
//! in time; other bypassed processors stop and start again from silence when
//! brought back. (Once, an insert in circuit with latency took the bypass
//! branch and played its delayed dry signal: `tests/tests/every_processor.rs`
//! now hears every kind through the chain.)

use super::Slot;
use super::automation::PROCESSOR_STRIDE;
use super::delay::Delay;
use super::record::Control;
use super::schedule::ChainTiming;
use crate::dsp::delay_line::DelayLine;
use crate::dsp::{Dsp, KindSpec, group};
use crate::session::ProcessorId;
use crate::smooth::Declick;

/// One track's chain and its stereo block, for [`Chain::run_group`].
pub(crate) type ChainMember<'a> = (&'a mut Chain, [&'a mut [f32]; 2]);

/// One insert.
#[derive(Debug)]
pub(crate) struct Insert {
    pub id: ProcessorId,
    pub kind: &'static KindSpec,
    pub dsp: Box<dyn Dsp>,
    /// Every parameter's current value, by index.
    pub values: Vec<f64>,
    /// On while in circuit (not bypassed).
    pub active: Declick,
    pub latency: usize,
    /// The dry signal delayed by `latency`, for bypass.
    dry_delay: [DelayLine; 2],
    /// The summing slot holding this processor's external sidechain.
    pub key: Option<Slot>,
    /// A pure delay before the insert (its key arrives late); it runs
    /// whether the insert is bypassed or not, so bypass never moves the strip.
    pre: Delay,
    /// The delay on the key (it arrives early).
    key_delay: Delay,
    /// The delayed key, when there is a key delay.
    key_buf: [Vec<f32>; 2],
}

impl Insert {
    fn fade_in(&mut self) {
        let on = self.active.is_on();
        self.active.jump(false);
        self.active.set(on);
    }

    pub fn new(
        id: ProcessorId,
        kind: &'static KindSpec,
        dsp: Box<dyn Dsp>,
        values: Vec<f64>,
        active: Declick,
        key: Option<Slot>,
    ) -> Insert {
        let latency = dsp.latency();
        Insert {
            id,
            kind,
            dsp,
            values,
            active,
            latency,
            dry_delay: [DelayLine::new(latency), DelayLine::new(latency)],
            key,
            pre: Delay::new(0),
            key_delay: Delay::new(0),
            key_buf: [Vec::new(), Vec::new()],
        }
    }
}

/// The inserts of one strip and the scratch they need.
#[derive(Debug)]
pub(crate) struct Chain {
    pub inserts: Vec<Insert>,
    dry: [Vec<f32>; 2],
    ramp: Vec<f32>,
    /// Automated parameters: (insert index, parameter index, control).
    pub auto: Vec<(usize, usize, Control)>,
}

impl Chain {
    pub fn new(inserts: Vec<Insert>, max_block: usize) -> Chain {
        let len = if inserts.is_empty() { 0 } else { max_block };
        Chain { inserts, dry: [vec![0.0; len], vec![0.0; len]], ramp: vec![0.0; len], auto: Vec::new() }
    }

    /// Every automated parameter's control. Realtime-safe.
    pub fn controls_mut(&mut self) -> impl Iterator<Item = &mut Control> {
        self.auto.iter_mut().map(|(_, _, c)| c)
    }

    pub fn is_empty(&self) -> bool {
        self.inserts.is_empty()
    }

    /// The delay the whole chain adds, in samples (processors and the delays
    /// before keyed inserts).
    pub fn latency(&self) -> usize {
        self.inserts.iter().map(|i| i.pre.samples() + i.latency).sum()
    }

    /// Samples from the chain's input to insert `index`'s input.
    pub fn input_offset(&self, index: usize) -> usize {
        let before: usize = self.inserts[..index].iter().map(|i| i.pre.samples() + i.latency).sum();
        before + self.inserts[index].pre.samples()
    }

    /// Installs the delays that line each key up with its insert's input
    /// (from `schedule::compensate`). Off the audio thread: it allocates.
    pub fn set_timing(&mut self, timing: &ChainTiming, max_block: usize) {
        for ((ins, &pre), &key) in self.inserts.iter_mut().zip(&timing.pre).zip(&timing.key) {
            ins.pre = Delay::new(pre);
            ins.key_delay = Delay::new(key);
            let len = if key > 0 { max_block } else { 0 };
            ins.key_buf = [vec![0.0; len], vec![0.0; len]];
        }
    }

    /// Runs every insert in order over `io` (1 or 2 channels) in place, the
    /// block starting at timeline sample `pos` (`None` while stopped). Keys
    /// are read from `sums`. Automated parameters are set every
    /// [`PROCESSOR_STRIDE`] samples (aligned to the timeline), so the block is
    /// run in stretches then. Realtime-safe.
    pub fn process(&mut self, pos: Option<u64>, io: &mut [&mut [f32]], sums: &[Vec<Vec<f32>>; 2]) {
        let n = io.first().map_or(0, |c| c.len());
        let Some(pos) = pos.filter(|_| !self.auto.is_empty()) else {
            self.run(io, sums, 0);
            return;
        };
        let mut done = 0;
        while done < n {
            let t = pos + done as u64;
            let end = ((t / PROCESSOR_STRIDE + 1) * PROCESSOR_STRIDE).min(pos + n as u64);
            let len = (end - t) as usize;
            for (i, p, control) in &mut self.auto {
                let ins = &mut self.inserts[*i];
                let v = control.play(end - 1, len as u32);
                ins.values[*p] = v;
                ins.dsp.set_param(*p, v);
            }
            match io {
                [l] => self.run(&mut [&mut l[done..done + len]], sums, done),
                [l, r] => self.run(&mut [&mut l[done..done + len], &mut r[done..done + len]], sums, done),
                _ => {}
            }
            done += len;
        }
    }

    /// Whether this block (at timeline sample `pos`, `None` while stopped)
    /// runs every insert simply: in circuit and settled there, with no
    /// automation playing, no sidechain key, no latency and no delay before
    /// it. Such chains of the same shape run side by side ([`Chain::run_group`]).
    pub fn is_plain(&self, pos: Option<u64>) -> bool {
        (pos.is_none() || self.auto.is_empty())
            && self.inserts.iter().all(|i| {
                i.active.is_on()
                    && !i.active.is_moving()
                    && i.latency == 0
                    && i.key.is_none()
                    && i.pre.samples() == 0
            })
    }

    /// Whether `other` has inserts of the same kinds in the same order.
    pub fn same_shape(&self, other: &Chain) -> bool {
        self.inserts.len() == other.inserts.len()
            && self.inserts.iter().zip(&other.inserts).all(|(a, b)| std::ptr::eq(a.kind, b.kind))
    }

    /// Runs plain chains of one shape (see [`Chain::is_plain`]) over stereo
    /// blocks, insert by insert across the chains, each insert of a kind that
    /// allows it side by side with the others (see [`crate::dsp::group`]):
    /// each chain computes what [`Chain::process`] would. Realtime-safe.
    pub fn run_group(members: &mut [Option<ChainMember<'_>>; group::GROUP]) {
        let len = members.iter().flatten().map(|(c, _)| c.inserts.len()).max().unwrap_or(0);
        for i in 0..len {
            group::process(members.iter_mut().flatten().filter_map(|(c, [l, r])| {
                let m: group::Member<'_> = (&mut *c.inserts.get_mut(i)?.dsp, [&mut **l, &mut **r]);
                Some(m)
            }));
        }
    }

    /// Runs every insert over `io`, whose first sample is sample `off` of the block.
    fn run(&mut self, io: &mut [&mut [f32]], sums: &[Vec<Vec<f32>>; 2], off: usize) {
        let n = io.first().map_or(0, |c| c.len());
        let Chain { inserts, dry, ramp, .. } = self;
        for ins in inserts.iter_mut() {
            ins.pre.process(io);
            let mut key = ins.key.map(|s| [&sums[0][s][off..off + n], &sums[1][s][off..off + n]]);
            if let Some(k) = key.filter(|_| ins.key_delay.samples() > 0) {
                ins.key_delay.process_into(k, &mut ins.key_buf);
                key = Some([&ins.key_buf[0][..n], &ins.key_buf[1][..n]]);
            }
            let moving = ins.active.is_moving();
            let on = ins.active.is_on();
            if !moving && !on && ins.latency == 0 {
                continue;
            }
            if !moving && on {
                // In circuit: the processor's output is what is heard. With
                // latency, the dry delay keeps running (so a later bypass
                // crossfades between aligned signals).
                if ins.latency > 0 {
                    for (c, buf) in io.iter().enumerate() {
                        ins.dry_delay[c].feed(buf);
                    }
                }
                ins.dsp.process(io, key);
                continue;
            }
            if moving && ins.latency == 0 && ins.active.gain() == 0.0 {
                // Coming back from bypass: start from silence, not from stale state.
                ins.dsp.reset();
            }
            for (c, buf) in io.iter().enumerate() {
                dry[c][..n].copy_from_slice(buf);
                ins.dry_delay[c].process(&mut dry[c][..n], ins.latency);
            }
            ins.dsp.process(io, key);
            if !moving {
                // Bypassed with latency: the processor keeps running, the delayed dry plays.
                for (c, buf) in io.iter_mut().enumerate() {
                    buf.copy_from_slice(&dry[c][..n]);
                }
                continue;
            }
            ins.active.fill(&mut ramp[..n]);
            for (c, buf) in io.iter_mut().enumerate() {
                for ((x, d), g) in buf.iter_mut().zip(&dry[c][..n]).zip(&ramp[..n]) {
                    *x = d + (*x - d) * g;
                }
            }
        }
    }

    /// Bypasses or restores processor `id` (declicked); false if it is not here.
    pub fn set_bypass(&mut self, id: ProcessorId, bypassed: bool) -> bool {
        match self.inserts.iter_mut().find(|i| i.id == id) {
            Some(i) => {
                i.active.set(!bypassed);
                true
            }
            None => false,
        }
    }

    /// Sets parameter `param` of the insert at `insert` (clamped to its
    /// range). Structural parameters are stored and take effect at the next
    /// rebuild. Realtime-safe.
    pub fn set_param_at(&mut self, insert: usize, param: usize, value: f64) {
        let Some(ins) = self.inserts.get_mut(insert) else { return };
        let Some(info) = ins.kind.params.get(param) else { return };
        let v = info.clamp(value);
        ins.values[param] = v;
        if !ins.kind.structural.contains(&param) {
            ins.dsp.set_param(param, v);
        }
    }

    /// Takes over the running processors of the same strip in the previous
    /// graph (their state, delay lines and tails carry on, gliding to this
    /// graph's values), and the key-alignment delays of the same lengths;
    /// processors new here fade in. Realtime-safe: it moves boxes, it does
    /// not allocate or free.
    pub fn inherit(&mut self, old: &mut Chain) {
        for ins in &mut self.inserts {
            if let Some(o) = old.inserts.iter_mut().find(|o| o.id == ins.id) {
                ins.pre.inherit(&mut o.pre);
                ins.key_delay.inherit(&mut o.key_delay);
            }
            // A processor is taken over if it adds the latency this graph
            // compensates (an LV2 plugin whose latency port followed a
            // parameter moved live reports the new figure, see `latency`).
            // Otherwise the new instance, built with the new value, fades
            // in: so does a CLAP plugin that asked for a restart, whatever
            // its latency (it changes only on activation; taking it over
            // would leave the request standing and rebuild again and
            // again). A dry delay (for bypass) sized for another latency
            // stays behind.
            let found = old.inserts.iter_mut().find(|o| {
                o.id == ins.id
                    && o.kind.kind == ins.kind.kind
                    && !o.dsp.latency_changed(ins.latency)
                    && ins.kind.structural.iter().all(|&s| o.values[s] == ins.values[s])
            });
            match found {
                Some(o) => {
                    std::mem::swap(&mut ins.dsp, &mut o.dsp);
                    if o.latency == ins.latency {
                        std::mem::swap(&mut ins.dry_delay, &mut o.dry_delay);
                    }
                    for (i, (new, was)) in ins.values.iter().zip(&o.values).enumerate() {
                        if new != was {
                            ins.dsp.set_param(i, *new);
                        }
                    }
                    ins.active.inherit(&o.active);
                }
                None => ins.fade_in(),
            }
        }
    }

    /// Every insert fades in from bypass (a strip new in a swapped graph).
    pub fn fade_in(&mut self) {
        self.inserts.iter_mut().for_each(Insert::fade_in);
    }

    /// Hands each dynamics processor's current gain reduction to `f`.
    pub fn gain_reductions(&self, f: &mut impl FnMut(ProcessorId, f32)) {
        for i in &self.inserts {
            if let Some(gr) = i.dsp.gain_reduction_db() {
                f(i.id, gr);
            }
        }
    }
}
