//! Several tracks' inserts of one kind run side by side (the offline bounce
//! and the live engine render tracks in groups of up to [`GROUP`]): four EQs
//! share 512-bit registers (two share 256-bit ones without AVX-512), the compressors' attack/release recursions share one
//! loop. Each processor computes exactly what its own
//! [`Dsp::process`](super::Dsp::process) would, bit for bit (tested), so
//! grouping changes the speed and nothing else.

use super::Dsp;
use super::compressor::{self, Compressor};
use super::eq::Eq;

/// The most tracks run side by side.
pub const GROUP: usize = compressor::GROUP;

/// A processor of a kind that runs side by side with others of its kind.
#[derive(Debug)]
pub enum Grouped<'a> {
    /// An EQ.
    Eq(&'a mut Eq),
    /// A compressor.
    Compressor(&'a mut Compressor),
}

/// One track's insert and its stereo block.
pub type Member<'a> = (&'a mut dyn Dsp, [&'a mut [f32]; 2]);

/// Runs each member's insert over its block (stereo, no sidechain key), as
/// [`Dsp::process`](super::Dsp::process) would; side by side when all of
/// them are EQs or all compressors. Realtime-safe.
pub fn process<'a>(members: impl Iterator<Item = Member<'a>>) {
    let mut members = members;
    let mut group: [Option<Member<'a>>; GROUP] = std::array::from_fn(|_| members.next());
    for (d, [l, r]) in members {
        d.process(&mut [l, r], None);
    }
    let kind = |m: &mut Option<Member<'a>>| match m.as_mut().map(|(d, _)| d.grouped()) {
        None => Kind::Absent,
        Some(Some(Grouped::Eq(_))) => Kind::Eq,
        Some(Some(Grouped::Compressor(_))) => Kind::Compressor,
        Some(None) => Kind::Other,
    };
    let kinds: [Kind; GROUP] = std::array::from_fn(|t| kind(&mut group[t]));
    let all = |k: Kind| kinds.iter().all(|&x| x == k || x == Kind::Absent);
    if all(Kind::Compressor) {
        let mut comps = group.map(|m| {
            let (d, io) = m?;
            match d.grouped() {
                Some(Grouped::Compressor(c)) => Some((c, io)),
                _ => None,
            }
        });
        compressor::process_group(&mut comps);
    } else if all(Kind::Eq) {
        let mut eqs = group.into_iter().flatten().filter_map(|(d, io)| match d.grouped() {
            Some(Grouped::Eq(e)) => Some((e, io)),
            _ => None,
        });
        while let Some(a) = eqs.next() {
            match (eqs.next(), eqs.next(), eqs.next()) {
                (Some(b), Some(c), Some(d)) => Eq::process_quad([a, b, c, d]),
                (b, c, d) => {
                    let mut rest = [Some(a), b, c, d].into_iter().flatten();
                    while let Some(a) = rest.next() {
                        match rest.next() {
                            Some(b) => Eq::process_pair(a, b),
                            None => {
                                let (e, [l, r]) = a;
                                e.process(&mut [l, r], None);
                            }
                        }
                    }
                }
            }
        }
    } else {
        for (d, [l, r]) in group.into_iter().flatten() {
            d.process(&mut [l, r], None);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Absent,
    Eq,
    Compressor,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{DspContext, KindSpec, compressor, eq};

    fn build(spec: &KindSpec, set: &[(&str, f64)]) -> Box<dyn Dsp> {
        let ctx = DspContext { sample_rate: 48_000, max_block: 4096, bpm: 120.0 };
        let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
        for (key, v) in set {
            values[spec.param_index(key).expect("a parameter")] = *v;
        }
        (spec.build)(&ctx, &values)
    }

    /// Eight tracks' worth of one kind, each set differently.
    fn eight(kind: &str) -> Vec<Box<dyn Dsp>> {
        (0..8)
            .map(|t| {
                let t = f64::from(t);
                if kind == "eq" {
                    // Tracks 0-3 run four sections each (track 3: a 24 dB/oct
                    // high-pass, band 1 flat), so they go as a quad; track 5's
                    // 48 dB/oct high-pass makes tracks 4-7 differ (one by one).
                    let slope = [1.0, 1.0, 1.0, 3.0, 1.0, 5.0, 1.0, 1.0][t as usize];
                    build(
                        &eq::SPEC,
                        &[
                            ("hp_on", 1.0),
                            ("hp_freq", 60.0 + 20.0 * t),
                            ("hp_slope", slope),
                            ("p1_gain", 3.0 - t),
                            ("p2_gain", -4.0),
                            ("p2_freq", 900.0 + 300.0 * t),
                            ("p3_gain", 2.0 + t),
                        ],
                    )
                } else {
                    build(
                        &compressor::SPEC,
                        &[
                            ("threshold", -30.0 + 3.0 * t),
                            ("ratio", 2.0 + t),
                            ("attack", 1.0 + 5.0 * t),
                            ("detection", if t == 2.0 || t == 6.0 { 1.0 } else { 0.0 }),
                            ("stereo_link", if t % 2.0 == 1.0 && t > 0.0 { 40.0 - t } else { 100.0 }),
                        ],
                    )
                }
            })
            .collect()
    }

    fn signal(t: usize, len: usize) -> [Vec<f32>; 2] {
        let mut seed = 0x9e37_79b9u32.wrapping_mul(t as u32 + 1);
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as f32 / u32::MAX as f32 - 0.5
        };
        let l: Vec<f32> = (0..len)
            .map(|i| {
                0.9 * (i as f32 * (0.01 + 0.013 * t as f32)).sin() * (i as f32 * 0.0003).sin() + 0.1 * noise()
            })
            .collect();
        let r = l.iter().map(|x| 0.6 * x + 0.05 * noise()).collect();
        [l, r]
    }

    /// Side by side, every processor computes what it computes alone, to the
    /// bit: EQs four or two at a time (and one left over, and some with more
    /// sections), compressors up to eight at a time (peak, RMS, unlinked:
    /// more paths than a vector's lanes), block after block
    /// of varying length, with parameters gliding part of the way.
    #[test]
    fn side_by_side_is_each_alone_to_the_bit() {
        for kind in ["eq", "compressor"] {
            for members in [2, 3, 4, 5, 8] {
                let (mut alone, mut side) = (eight(kind), eight(kind));
                alone.truncate(members);
                side.truncate(members);
                let len = 20_000;
                let mut a: Vec<[Vec<f32>; 2]> = (0..members).map(|t| signal(t, len)).collect();
                let mut b = a.clone();
                let mut at = 0;
                for (k, block) in [4096, 1000, 17, 4096, 333, 4096].into_iter().cycle().enumerate() {
                    if at >= len {
                        break;
                    }
                    if k == 3 {
                        // Track 0 moves a parameter: it glides for a while.
                        for d in [&mut alone[0], &mut side[0]] {
                            let gain = eq::SPEC.param_index("p2_gain").expect("a parameter");
                            d.set_param(if kind == "eq" { gain } else { compressor::p::MAKEUP }, 5.0);
                        }
                    }
                    let end = (at + block).min(len);
                    for (d, [l, r]) in alone.iter_mut().zip(a.iter_mut()) {
                        d.process(&mut [&mut l[at..end], &mut r[at..end]], None);
                    }
                    process(side.iter_mut().zip(b.iter_mut()).map(|(d, [l, r])| {
                        let m: Member<'_> = (&mut **d, [&mut l[at..end], &mut r[at..end]]);
                        m
                    }));
                    at = end;
                }
                for t in 0..members {
                    for c in 0..2 {
                        let same = a[t][c].iter().zip(&b[t][c]).all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(same, "{kind}, {members} side by side: track {t} channel {c} differs");
                    }
                }
                assert!(a[0][0] != signal(0, len)[0], "{kind} changes the signal");
            }
        }
    }
}
