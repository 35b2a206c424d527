//! A strip's live gains: trim, polarity, fader, pan, width, mute, solo and its
//! sends' levels and pans, each smoothed or declicked, folded into the 2x2
//! matrices the graph applies.
//!
//! While nothing moves, a strip has one constant matrix per output (the fast
//! path). While something moves, the matrix is recomputed from the smoothed
//! values at the end of every [`CHUNK`] samples and interpolated linearly in
//! between, so gains glide in dB without evaluating `exp`/`cos` per sample.

use super::Matrix32;
use super::automation::StripAuto;
use super::pan::strip_matrix;
use crate::session::{PanLaw, SendId, SendParam, Strip, StripParam};
use crate::smooth::{DECLICK_SECONDS, Declick, SMOOTHING_SECONDS, Smoother, ramp_samples};
use crate::units::Decibels;

/// Samples between recomputed matrices while a gain moves.
pub(crate) const CHUNK: usize = 16;

/// Gains glide in dB from (or to) this floor instead of from -inf, so a fade
/// from silence is heard over the whole ramp rather than in its last samples.
const GLIDE_FLOOR_DB: f64 = -100.0;

/// Chunks a block of `max_block` may hold: the regular ones, and as many again
/// cut at automation breakpoints.
fn max_chunks(max_block: usize) -> usize {
    2 * max_block.div_ceil(CHUNK) + 4
}

/// A matrix over one block: constant, or interpolated between chunk ends.
#[derive(Debug, Clone)]
pub(crate) struct GainCurve {
    /// The matrix at the end of the previous block.
    start: Matrix32,
    /// Where each chunk of this block ends (offset) and the matrix there, when `moving`.
    ends: Vec<(usize, Matrix32)>,
    moving: bool,
}

impl GainCurve {
    fn new(m: Matrix32, max_block: usize) -> GainCurve {
        GainCurve { start: m, ends: Vec::with_capacity(max_chunks(max_block)), moving: false }
    }

    /// The matrix now (at the end of the last block).
    pub fn current(&self) -> Matrix32 {
        if self.moving { self.ends.last().map_or(self.start, |e| e.1) } else { self.start }
    }

    fn settle(&mut self, m: Matrix32) {
        self.start = m;
        self.moving = false;
    }

    fn begin(&mut self) {
        self.start = self.current();
        self.ends.clear();
        self.moving = true;
    }

    /// `out = M·(l, r)` sample by sample. Realtime-safe.
    pub fn apply(&self, l: &[f32], r: &[f32], out_l: &mut [f32], out_r: &mut [f32]) {
        self.for_each_chunk(l.len(), |range, a, b| {
            ramp_matrix(
                a,
                b,
                &l[range.clone()],
                &r[range.clone()],
                &mut out_l[range.clone()],
                &mut out_r[range],
            )
        });
    }

    /// `dst +=` row `row` of what [`GainCurve::apply`] writes, without writing
    /// it: the same operations in the same order, so a sum made this way is
    /// bit-identical to applying and then adding. Realtime-safe.
    pub fn add_applied_row(&self, row: usize, l: &[f32], r: &[f32], dst: &mut [f32]) {
        self.for_each_chunk(l.len(), |range, a, b| {
            add_ramp_matrix_row(a, b, row, &l[range.clone()], &r[range.clone()], &mut dst[range])
        });
    }

    /// Scales each channel in place by the matrix's diagonal (the input gain of
    /// a strip with inserts). Realtime-safe.
    pub fn scale_in_place(&self, io: &mut [&mut [f32]]) {
        for (c, buf) in io.iter_mut().enumerate() {
            let buf = &mut **buf;
            self.for_each_chunk(buf.len(), |range, a, b| {
                let (g0, g1) = (a[c][c], b[c][c]);
                let chunk = &mut buf[range];
                if g0 == g1 {
                    if g0 != 1.0 {
                        chunk.iter_mut().for_each(|x| *x *= g0);
                    }
                } else {
                    let inv = 1.0 / chunk.len() as f32;
                    for (i, x) in chunk.iter_mut().enumerate() {
                        *x *= g0 + (g1 - g0) * (i + 1) as f32 * inv;
                    }
                }
            });
        }
    }

    /// `dst += M[row]·(l, r)`. Realtime-safe.
    pub fn mix_row(&self, row: usize, l: &[f32], r: &[f32], dst: &mut [f32]) {
        self.for_each_chunk(l.len(), |range, a, b| {
            ramp_row(&a[row], &b[row], &l[range.clone()], &r[range.clone()], &mut dst[range])
        });
    }

    fn for_each_chunk(&self, n: usize, mut f: impl FnMut(std::ops::Range<usize>, &Matrix32, &Matrix32)) {
        if !self.moving {
            f(0..n, &self.start, &self.start);
            return;
        }
        let (mut from, mut at) = (self.start, 0);
        for (end, to) in &self.ends {
            let end = (*end).min(n);
            f(at..end, &from, to);
            from = *to;
            at = end;
        }
    }
}

/// `dst +=` row `row` of [`ramp_matrix`]'s output, computed as it computes it.
fn add_ramp_matrix_row(a: &Matrix32, b: &Matrix32, row: usize, l: &[f32], r: &[f32], dst: &mut [f32]) {
    if a == b {
        let [[m00, m01], [m10, m11]] = *a;
        if m01 == 0.0 && m10 == 0.0 {
            let (g, x) = if row == 0 { (m00, l) } else { (m11, r) };
            for (o, x) in dst.iter_mut().zip(x) {
                *o += g * x;
            }
        } else {
            let [p, q] = a[row];
            for ((o, x), y) in dst.iter_mut().zip(l).zip(r) {
                *o += p * x + q * y;
            }
        }
        return;
    }
    let inv = 1.0 / l.len() as f32;
    for i in 0..l.len() {
        let t = (i + 1) as f32 * inv;
        let m = |col: usize| a[row][col] + (b[row][col] - a[row][col]) * t;
        dst[i] += m(0) * l[i] + m(1) * r[i];
    }
}

/// Applies a matrix gliding linearly from `a` (before the first sample) to `b` (at the last).
fn ramp_matrix(a: &Matrix32, b: &Matrix32, l: &[f32], r: &[f32], out_l: &mut [f32], out_r: &mut [f32]) {
    if a == b {
        let [[m00, m01], [m10, m11]] = *a;
        if m01 == 0.0 && m10 == 0.0 {
            for (o, x) in out_l.iter_mut().zip(l) {
                *o = m00 * x;
            }
            for (o, x) in out_r.iter_mut().zip(r) {
                *o = m11 * x;
            }
        } else {
            for (((ol, or), x), y) in out_l.iter_mut().zip(out_r.iter_mut()).zip(l).zip(r) {
                *ol = m00 * x + m01 * y;
                *or = m10 * x + m11 * y;
            }
        }
        return;
    }
    let inv = 1.0 / l.len() as f32;
    for i in 0..l.len() {
        let t = (i + 1) as f32 * inv;
        let m = |row: usize, col: usize| a[row][col] + (b[row][col] - a[row][col]) * t;
        out_l[i] = m(0, 0) * l[i] + m(0, 1) * r[i];
        out_r[i] = m(1, 0) * l[i] + m(1, 1) * r[i];
    }
}

fn ramp_row(a: &[f32; 2], b: &[f32; 2], l: &[f32], r: &[f32], dst: &mut [f32]) {
    if a == b {
        let [x0, x1] = *a;
        if x1 == 0.0 {
            for (o, x) in dst.iter_mut().zip(l) {
                *o += x0 * x;
            }
        } else {
            for ((o, x), y) in dst.iter_mut().zip(l).zip(r) {
                *o += x0 * x + x1 * y;
            }
        }
        return;
    }
    let inv = 1.0 / l.len() as f32;
    for i in 0..l.len() {
        let t = (i + 1) as f32 * inv;
        dst[i] += (a[0] + (b[0] - a[0]) * t) * l[i] + (a[1] + (b[1] - a[1]) * t) * r[i];
    }
}

/// A level in dB that glides in dB and is exact once settled.
#[derive(Debug, Clone, Copy)]
struct DbSmoother {
    glide: Smoother,
    target_db: f64,
}

impl DbSmoother {
    fn new(db: f64, ramp: u32) -> DbSmoother {
        DbSmoother { glide: Smoother::new(db.max(GLIDE_FLOOR_DB), ramp), target_db: db }
    }

    fn set(&mut self, db: f64) {
        self.target_db = db;
        self.glide.set_target(db.max(GLIDE_FLOOR_DB));
    }

    /// Glides to `db` in exactly `samples` (automation).
    fn ramp_to(&mut self, db: f64, samples: u32) {
        self.target_db = db;
        self.glide.ramp_exactly(db.max(GLIDE_FLOOR_DB), samples);
    }

    fn inherit(&mut self, old: &DbSmoother) {
        self.glide.inherit(&old.glide);
    }

    fn gain(&self) -> f64 {
        if self.glide.is_moving() {
            10f64.powf(self.glide.value() / 20.0)
        } else {
            Decibels(self.target_db).to_gain().0
        }
    }
}

/// One send's live controls.
#[derive(Debug, Clone)]
pub(crate) struct SendGains {
    pub id: SendId,
    /// Where the send is summed.
    pub slot: usize,
    pre_fader: bool,
    level: DbSmoother,
    pan: Smoother,
    pub curve: GainCurve,
}

/// A strip's live controls and the matrices they make.
#[derive(Debug, Clone)]
pub(crate) struct StripGains {
    law: PanLaw,
    channels: usize,
    trim: DbSmoother,
    fader: DbSmoother,
    pan: Smoother,
    width: Smoother,
    polarity: Smoother,
    mute: Declick,
    /// The fader of the VCA the strip answers to, dB (0 without one): added
    /// to the strip's own fader.
    vca: DbSmoother,
    /// The mute of that VCA.
    vca_mute: Declick,
    /// Solo-in-place: whether another strip's solo leaves this one audible.
    audible: Declick,
    pub solo: bool,
    pub solo_safe: bool,
    /// Whether trim and polarity run as a separate input stage before the
    /// inserts (strips with inserts) instead of folded into the output matrices.
    split: bool,
    /// The input stage (diagonal) when `split`.
    pub input: GainCurve,
    /// The main output.
    pub main: GainCurve,
    pub sends: Vec<SendGains>,
    /// The sidechain keys this strip gives, pre-fader (trim and polarity,
    /// when not already applied as the input stage) and post-fader (trim,
    /// fader, mute, VCA, pan and width; not solo), applied to the signal
    /// after the inserts. Computed only for the taps in `key_taps`.
    pub keys: [GainCurve; 2],
    key_taps: [bool; 2],
    /// Automation lanes of this strip's controls.
    pub auto: StripAuto,
}

impl StripGains {
    /// The gains of `strip` for a source of `channels` (1 or 2), settled at the
    /// session's values. `send_slot` maps each send to its summing slot.
    pub fn new(
        law: PanLaw,
        channels: usize,
        strip: &Strip,
        rate: u32,
        max_block: usize,
        split: bool,
        send_slot: impl Fn(&crate::session::Send) -> usize,
    ) -> StripGains {
        let ramp = ramp_samples(SMOOTHING_SECONDS, rate);
        let declick = ramp_samples(DECLICK_SECONDS, rate);
        let sends: Vec<SendGains> = strip
            .sends
            .iter()
            .map(|s| SendGains {
                id: s.id,
                slot: send_slot(s),
                pre_fader: s.pre_fader,
                level: DbSmoother::new(s.level_db.0, ramp),
                pan: Smoother::new(s.pan.0, ramp),
                curve: GainCurve::new([[0.0; 2]; 2], max_block),
            })
            .collect();
        let mut g = StripGains {
            law,
            channels,
            trim: DbSmoother::new(strip.trim_db.0, ramp),
            fader: DbSmoother::new(strip.fader_db.0, ramp),
            pan: Smoother::new(strip.pan.0, ramp),
            width: Smoother::new(strip.width, ramp),
            polarity: Smoother::new(if strip.polarity_inverted { -1.0 } else { 1.0 }, ramp),
            mute: Declick::new(!strip.mute, declick),
            vca: DbSmoother::new(0.0, ramp),
            vca_mute: Declick::new(true, declick),
            audible: Declick::new(true, declick),
            solo: strip.solo,
            solo_safe: strip.solo_safe,
            split,
            input: GainCurve::new([[1.0, 0.0], [0.0, 1.0]], max_block),
            main: GainCurve::new([[0.0; 2]; 2], max_block),
            keys: [GainCurve::new([[0.0; 2]; 2], max_block), GainCurve::new([[0.0; 2]; 2], max_block)],
            key_taps: [false; 2],
            auto: StripAuto { sends: vec![[None, None]; sends.len()], ..StripAuto::default() },
            sends,
        };
        g.settle_all();
        g
    }

    /// Sets a strip control's target. Realtime-safe.
    pub fn set_param(&mut self, p: StripParam, v: f64) {
        let v = p.info().clamp(v);
        match p {
            StripParam::Trim => self.trim.set(v),
            StripParam::Fader => self.fader.set(v),
            StripParam::Pan => self.pan.set_target(v),
            StripParam::Width => self.width.set_target(v),
            StripParam::Mute => self.set_mute(v >= 0.5),
        }
    }

    /// Sets the target of a control of the VCA the strip answers to (its
    /// fader in dB or its mute). Realtime-safe.
    pub fn set_vca(&mut self, p: StripParam, v: f64) {
        let v = p.info().clamp(v);
        match p {
            StripParam::Fader => self.vca.set(v),
            StripParam::Mute => self.vca_mute.set(v < 0.5),
            _ => {}
        }
    }

    /// Starts at the values of the VCA the strip answers to, settled (at
    /// compile time).
    pub fn start_vca(&mut self, fader_db: f64, muted: bool) {
        self.vca.set(fader_db);
        self.vca.glide.jump(fader_db.max(GLIDE_FLOOR_DB));
        self.vca_mute.jump(!muted);
        self.settle_all();
    }

    /// Sets the target of a control of the send at `index`. Realtime-safe.
    pub fn set_send_at(&mut self, index: usize, p: SendParam, v: f64) {
        let Some(s) = self.sends.get_mut(index) else { return };
        let v = p.info().clamp(v);
        match p {
            SendParam::Level => s.level.set(v),
            SendParam::Pan => s.pan.set_target(v),
        }
    }

    /// The trim still to apply to the input buffer for a pre-fader meter: 1
    /// when the input stage already ran (strips with inserts), else the trim
    /// gain (polarity does not change a level). Realtime-safe.
    pub fn pre_fader_gain(&self) -> f32 {
        if self.split { 1.0 } else { self.trim.gain() as f32 }
    }

    /// Mutes (declicked). Realtime-safe.
    pub fn set_mute(&mut self, mute: bool) {
        self.mute.set(!mute);
    }

    /// Inverts the polarity (declicked by gliding through zero). Realtime-safe.
    pub fn set_polarity(&mut self, inverted: bool) {
        self.polarity.set_target(if inverted { -1.0 } else { 1.0 });
    }

    /// Whether solo-in-place leaves this strip audible (declicked). Realtime-safe.
    pub fn set_audible(&mut self, on: bool) {
        self.audible.set(on);
    }

    /// Ends every fade at once (at compile time, after solo-in-place is worked out).
    pub fn settle_now(&mut self) {
        self.audible.jump(self.audible.is_on());
        self.mute.jump(self.mute.is_on());
        self.settle_all();
    }

    /// Starts silent and fades in to its audibility (a strip new in a swapped graph).
    pub fn fade_in(&mut self) {
        let on = self.audible.is_on();
        self.audible.jump(false);
        self.audible.set(on);
        self.main.settle([[0.0; 2]; 2]);
        for s in &mut self.sends {
            s.curve.settle([[0.0; 2]; 2]);
        }
    }

    /// Continues from the same strip in the previous graph: current values and
    /// running fades carry over, gliding to this graph's targets.
    pub fn inherit(&mut self, old: &StripGains) {
        self.trim.inherit(&old.trim);
        self.fader.inherit(&old.fader);
        self.pan.inherit(&old.pan);
        self.width.inherit(&old.width);
        self.polarity.inherit(&old.polarity);
        self.mute.inherit(&old.mute);
        self.vca.inherit(&old.vca);
        self.vca_mute.inherit(&old.vca_mute);
        self.audible.inherit(&old.audible);
        for s in &mut self.sends {
            if let Some(o) = old.sends.iter().find(|o| o.id == s.id) {
                s.level.inherit(&o.level);
                s.pan.inherit(&o.pan);
            }
        }
        if self.moving() {
            // Glide on from exactly where the old graph's matrices are (a strip that
            // gained or lost its inserts restarts its curves from its own values).
            if self.split != old.split {
                self.settle_all();
                return;
            }
            self.input.settle(old.input.current());
            self.main.settle(old.main.current());
            for tap in 0..2 {
                if self.key_taps[tap] && old.key_taps[tap] {
                    self.keys[tap].settle(old.keys[tap].current());
                }
            }
            for s in &mut self.sends {
                if let Some(o) = old.sends.iter().find(|o| o.id == s.id) {
                    s.curve.settle(o.curve.current());
                }
            }
        } else {
            self.settle_all();
        }
    }

    fn moving(&self) -> bool {
        self.trim.glide.is_moving()
            || self.fader.glide.is_moving()
            || self.pan.is_moving()
            || self.width.is_moving()
            || self.polarity.is_moving()
            || self.mute.is_moving()
            || self.vca.glide.is_moving()
            || self.vca_mute.is_moving()
            || self.audible.is_moving()
            || self.sends.iter().any(|s| s.level.glide.is_moving() || s.pan.is_moving())
    }

    /// Advances every control by a block of `n` samples starting at timeline
    /// sample `pos` (`None` while stopped: automation holds) and fills the
    /// curves. Automated controls follow their lanes (see `automation`).
    /// Realtime-safe.
    pub fn advance(&mut self, pos: Option<u64>, n: usize) {
        let automated = pos.filter(|_| self.auto.any());
        if automated.is_none() && !self.moving() {
            if self.main.moving
                || self.input.moving
                || self.sends.iter().any(|s| s.curve.moving)
                || self.keys.iter().any(|k| k.moving)
            {
                self.settle_all();
            }
            return;
        }
        self.input.begin();
        self.main.begin();
        for s in &mut self.sends {
            s.curve.begin();
        }
        for tap in 0..2 {
            if self.key_taps[tap] {
                self.keys[tap].begin();
            }
        }
        let room = self.main.ends.capacity() / 2;
        let mut done = 0;
        while done < n {
            let len = match automated {
                None => CHUNK.min(n - done),
                Some(p) => {
                    // Chunks end at absolute multiples of CHUNK, at the block's
                    // end, and at breakpoints (while the curves have room).
                    let t = p + done as u64;
                    let mut end = ((t / CHUNK as u64 + 1) * CHUNK as u64).min(p + n as u64);
                    if self.main.ends.len() < room
                        && let Some(b) = self.auto.next_after(t)
                    {
                        end = end.min(b);
                    }
                    let len = (end - t) as usize;
                    self.follow_lanes(end - 1, len as u32);
                    len
                }
            };
            let k = len as u32;
            for g in [
                &mut self.trim.glide,
                &mut self.fader.glide,
                &mut self.vca.glide,
                &mut self.pan,
                &mut self.width,
                &mut self.polarity,
            ] {
                g.advance(k);
            }
            self.mute.advance(k);
            self.vca_mute.advance(k);
            self.audible.advance(k);
            for s in &mut self.sends {
                s.level.glide.advance(k);
                s.pan.advance(k);
            }
            done += len;
            let lv = self.levels();
            self.input.ends.push((done, diagonal(lv.pre)));
            self.main.ends.push((done, self.main_matrix(&lv)));
            for s in &mut self.sends {
                s.curve.ends.push((done, s.matrix(&lv)));
            }
            for tap in 0..2 {
                if self.key_taps[tap] {
                    let m = self.key_matrix(tap, &lv);
                    self.keys[tap].ends.push((done, m));
                }
            }
        }
    }

    /// Points every automated control at its value at block sample `t` (the
    /// lane's, or the hand's in a writing mode), to be reached in exactly
    /// `len` samples. Realtime-safe.
    fn follow_lanes(&mut self, t: u64, len: u32) {
        let a = &mut self.auto;
        if let Some(c) = &mut a.trim {
            self.trim.ramp_to(c.play(t, len), len);
        }
        if let Some(c) = &mut a.fader {
            self.fader.ramp_to(c.play(t, len), len);
        }
        if let Some(c) = &mut a.vca[0] {
            self.vca.ramp_to(c.play(t, len), len);
        }
        if let Some(c) = &mut a.vca[1] {
            self.vca_mute.glide_exactly(1.0 - c.play(t, len), len);
        }
        if let Some(c) = &mut a.pan {
            self.pan.ramp_exactly(c.play(t, len), len);
        }
        if let Some(c) = &mut a.width {
            self.width.ramp_exactly(c.play(t, len), len);
        }
        if let Some(c) = &mut a.mute {
            // 0 plays, 1 mutes; a step's declick glides through the values between.
            self.mute.glide_exactly(1.0 - c.play(t, len), len);
        }
        for (s, controls) in self.sends.iter_mut().zip(&mut a.sends) {
            if let Some(c) = &mut controls[0] {
                s.level.ramp_to(c.play(t, len), len);
            }
            if let Some(c) = &mut controls[1] {
                s.pan.ramp_exactly(c.play(t, len), len);
            }
        }
    }

    fn settle_all(&mut self) {
        let lv = self.levels();
        self.input.settle(diagonal(lv.pre));
        self.main.settle(self.main_matrix(&lv));
        for tap in 0..2 {
            if self.key_taps[tap] {
                let m = self.key_matrix(tap, &lv);
                self.keys[tap].settle(m);
            }
        }
        for s in &mut self.sends {
            s.curve.settle(s.matrix(&lv));
        }
    }

    /// The gain factors shared by the main output and the sends, at the current values.
    fn levels(&self) -> Levels {
        let input = self.polarity.value() * self.trim.gain();
        let (pre, input) = if self.split { (input, 1.0) } else { (1.0, input) };
        Levels {
            law: self.law,
            channels: self.channels,
            pre,
            input,
            solo: self.audible.gain(),
            fader: self.fader.gain() * self.vca.gain() * self.mute.gain() * self.vca_mute.gain(),
        }
    }

    /// Makes the curves of the key taps this strip gives (0 pre-fader, 1
    /// post-fader) follow its controls.
    pub fn give_keys(&mut self, taps: [bool; 2]) {
        self.key_taps = taps;
        self.settle_all();
    }

    /// The matrix of key tap `tap` (see [`StripGains::keys`]).
    fn key_matrix(&self, tap: usize, lv: &Levels) -> Matrix32 {
        if tap == 1 {
            return to_f32(strip_matrix(
                lv.law,
                lv.channels,
                self.pan.value(),
                self.width.value(),
                lv.input * lv.fader,
            ));
        }
        let g = lv.input as f32;
        // A mono strip's key plays its one channel on both sides.
        if lv.channels == 1 { [[g, 0.0], [g, 0.0]] } else { [[g, 0.0], [0.0, g]] }
    }

    fn main_matrix(&self, lv: &Levels) -> Matrix32 {
        to_f32(strip_matrix(
            lv.law,
            lv.channels,
            self.pan.value(),
            self.width.value(),
            lv.input * lv.fader * lv.solo,
        ))
    }
}

/// A strip's gain factors at one instant.
struct Levels {
    law: PanLaw,
    channels: usize,
    /// Trim and polarity of the input stage (1 when folded into the matrices).
    pre: f64,
    /// Trim and polarity folded into the output matrices (1 when split).
    input: f64,
    solo: f64,
    fader: f64,
}

impl SendGains {
    fn matrix(&self, lv: &Levels) -> Matrix32 {
        let g = lv.input * lv.solo * self.level.gain() * if self.pre_fader { 1.0 } else { lv.fader };
        to_f32(strip_matrix(lv.law, lv.channels, self.pan.value(), 1.0, g))
    }
}

fn diagonal(g: f64) -> Matrix32 {
    let g = g as f32;
    [[g, 0.0], [0.0, g]]
}

fn to_f32(m: [[f64; 2]; 2]) -> Matrix32 {
    [[m[0][0] as f32, m[0][1] as f32], [m[1][0] as f32, m[1][1] as f32]]
}
