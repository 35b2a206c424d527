//! A track strip's block: its clips read into the input, its inserts, its
//! post-fader output; and groups of tracks whose inserts run side by side.

use super::chain::{Chain, ChainMember};
use super::{Feed, TrackNode, scrub};
use crate::dsp::group::GROUP;

/// Renders tracks as [`TrackNode::render`] renders each, with their inserts
/// side by side when every track is stereo and has a plain chain of the same
/// shape (see [`Chain::run_group`]): the same results, sooner. Realtime-safe.
pub(super) fn render_group(
    group: &mut [TrackNode],
    feed: Feed,
    n: usize,
    metering: bool,
    write_out: bool,
    keys: &[Vec<Vec<f32>>; 2],
) {
    let pos = feed.position();
    let side_by_side = group.len() > 1
        && group.iter().all(|t| {
            t.channels == 2
                && !t.chain.is_empty()
                && t.chain.is_plain(pos)
                && t.chain.same_shape(&group[0].chain)
        });
    if !side_by_side {
        for t in group.iter_mut() {
            t.render(feed, n, metering, write_out, keys);
        }
        return;
    }
    for t in group.iter_mut() {
        t.read_input(feed, n);
        let [il, ir] = &mut t.input;
        t.gains.input.scale_in_place(&mut [&mut il[..n], &mut ir[..n]]);
    }
    let mut tracks = group.iter_mut();
    let mut members: [Option<ChainMember<'_>>; GROUP] = std::array::from_fn(|_| {
        let t = tracks.next()?;
        let [l, r] = &mut t.input;
        Some((&mut t.chain, [&mut l[..n], &mut r[..n]]))
    });
    Chain::run_group(&mut members);
    for t in group.iter_mut() {
        t.finish(n, metering, write_out);
    }
}

impl TrackNode {
    /// Fills `input` from the clips, runs the inserts (keys read from `keys`)
    /// and computes the post-fader `out`. Realtime-safe.
    pub(super) fn render(
        &mut self,
        feed: Feed,
        n: usize,
        metering: bool,
        write_out: bool,
        keys: &[Vec<Vec<f32>>; 2],
    ) {
        self.read_input(feed, n);
        if !self.chain.is_empty() {
            let [il, ir] = &mut self.input;
            let mut io = [&mut il[..n], &mut ir[..n]];
            let io = &mut io[..self.channels];
            self.gains.input.scale_in_place(io);
            self.chain.process(feed.position(), io, keys);
        }
        self.finish(n, metering, write_out);
    }

    /// Fills `input` from the clips as `feed` says and advances the strip's
    /// gains over the block. Realtime-safe.
    fn read_input(&mut self, feed: Feed, n: usize) {
        let [il, ir] = &mut self.input;
        let (il, ir) = (&mut il[..n], &mut ir[..n]);
        match feed {
            Feed::Silent => {
                il.fill(0.0);
                ir.fill(0.0);
            }
            Feed::Play(pos) | Feed::Fade(pos, _) => {
                let pos = pos + self.read_ahead;
                let end = pos + n as u64;
                let mut active = self.clips.iter().filter(|c| c.start < end && c.end > pos);
                let first = active.next();
                // The common case, one clip over the whole block, writes straight into the
                // input; anything else zeroes first and adds.
                let single_full =
                    first.is_some_and(|c| c.start <= pos && c.end >= end) && active.next().is_none();
                if !single_full {
                    il.fill(0.0);
                    ir.fill(0.0);
                }
                for clip in self.clips.iter().filter(|c| c.start < end && c.end > pos) {
                    if self.channels == 2 {
                        clip.mix_into(pos, &mut [&mut *il, &mut *ir], &mut self.scratch, single_full);
                    } else {
                        clip.mix_into(pos, &mut [&mut *il], &mut self.scratch, single_full);
                    }
                }
                if let Feed::Fade(_, gain) = feed {
                    for buf in [&mut *il, &mut *ir] {
                        for (x, g) in buf.iter_mut().zip(gain) {
                            *x *= g;
                        }
                    }
                }
            }
        }
        self.gains.advance(feed.position(), n);
    }

    /// After the inserts: the early key's delay, then the post-fader `out`
    /// (when written) and the meters. Realtime-safe.
    fn finish(&mut self, n: usize, metering: bool, write_out: bool) {
        let [il, ir] = &mut self.input;
        let (il, ir) = (&mut il[..n], &mut ir[..n]);
        if self.early.samples() > 0 {
            let mut io = [&mut *il, &mut *ir];
            let io = &mut io[..self.channels];
            for (k, x) in self.key.iter_mut().zip(io.iter()) {
                k[..n].copy_from_slice(x);
            }
            self.early.process(io);
        }
        self.bad = 0;
        self.out_written = write_out;
        if !(metering && write_out) {
            // No meter checks this block (the bounce): check the inserts'
            // output here, so a NaN from an insert (a hosted plugin's fault)
            // silences this track only, as live, not the whole mix.
            self.bad = scrub(il) + if self.channels == 2 { scrub(ir) } else { 0 };
        }
        if !write_out {
            // `sum_tracks` applies the fader and pan as it sums.
            return;
        }
        let [ol, or] = &mut self.out;
        let (ol, or) = (&mut ol[..n], &mut or[..n]);
        self.gains.main.apply(il, ir, ol, or);
        let pre = if self.channels == 1 { [&*il, &*il] } else { [&*il, &*ir] };
        if metering && !self.meter.measure(pre, self.gains.pre_fader_gain(), [ol, or]) {
            self.bad = scrub(ol) + scrub(or);
            scrub(il);
            scrub(ir);
        }
    }
}
