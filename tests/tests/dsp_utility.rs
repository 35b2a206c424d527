//! The utility insert against its documented closed forms: polarity, swap,
//! mid/side width and gain for every switch combination, its 5 ms switch
//! ramps, gain glides, and mono tracks.

use mixdesk_tests::effects_harness::*;
use mixdesk_tests::{noise, sine_wave};

// --------------------------------------------------------------- utility

/// The utility's documented stereo chain: polarity, swap, mid/side width (0
/// when mono), gain.
#[allow(clippy::too_many_arguments)]
fn utility_closed_form(
    l: f64,
    r: f64,
    gain_db: f64,
    width: f64,
    mono: bool,
    swap: bool,
    inv_l: bool,
    inv_r: bool,
) -> (f64, f64) {
    let (mut a, mut b) = (if inv_l { -l } else { l }, if inv_r { -r } else { r });
    if swap {
        std::mem::swap(&mut a, &mut b);
    }
    let m = (a + b) / 2.0;
    let s = (a - b) / 2.0 * if mono { 0.0 } else { width / 100.0 };
    let g = 10f64.powf(gain_db / 20.0);
    (g * (m + s), g * (m - s))
}

#[test]
fn utility_matches_the_closed_form_for_every_switch_combination() {
    let n = 4_000;
    let l = sine_wave(440.0, 0.7, n);
    let r = noise(4, n, 0.6);
    for bits in 0..16u32 {
        let [mono_on, swap, inv_l, inv_r] = [0, 1, 2, 3].map(|b| bits & (1 << b) != 0);
        for width in [0.0, 37.0, 100.0, 200.0] {
            for gain in [0.0, -6.5, 12.0, -96.0] {
                let on = |b: bool| if b { 1.0 } else { 0.0 };
                let mut u = build(
                    "utility",
                    &[
                        ("gain", gain),
                        ("width", width),
                        ("mono", on(mono_on)),
                        ("swap", on(swap)),
                        ("invert_left", on(inv_l)),
                        ("invert_right", on(inv_r)),
                    ],
                );
                let (ol, or) = stereo(u.as_mut(), &l, &r, 300);
                let (wl, wr): (Vec<f64>, Vec<f64>) = l
                    .iter()
                    .zip(&r)
                    .map(|(a, b)| {
                        utility_closed_form(
                            f64::from(*a),
                            f64::from(*b),
                            gain,
                            width,
                            mono_on,
                            swap,
                            inv_l,
                            inv_r,
                        )
                    })
                    .unzip();
                let what = format!("bits {bits:04b} width {width} gain {gain}");
                assert_close(&ol, &wl, 1e-6, &what);
                assert_close(&or, &wr, 1e-6, &what);
            }
        }
    }
}

#[test]
fn utility_switches_ramp_over_5_ms_and_then_hold_the_closed_form() {
    let n = 6_000;
    let l = sine_wave(300.0, 0.8, n);
    let r = sine_wave(1_100.0, 0.5, n);
    let ramp = 240; // 5 ms at 48 kHz
    for (key, after) in [
        ("swap", (false, true, false, false)),
        ("invert_left", (false, false, true, false)),
        ("mono", (true, false, false, false)),
    ] {
        let mut u = build("utility", &[]);
        let (mut ol, mut or) = (l.clone(), r.clone());
        let switch_at = 1_024;
        for (b, (bl, br)) in ol.chunks_mut(128).zip(or.chunks_mut(128)).enumerate() {
            if b * 128 == switch_at {
                u.set_param(index("utility", key), 1.0);
            }
            u.process(&mut [bl, br], None);
        }
        let (m, s, il, ir) = after;
        for i in 0..n {
            let before = (f64::from(l[i]), f64::from(r[i]));
            let settled = utility_closed_form(before.0, before.1, 0.0, 100.0, m, s, il, ir);
            let got = (f64::from(ol[i]), f64::from(or[i]));
            if i < switch_at {
                assert!((got.0 - before.0).abs() < 1e-6 && (got.1 - before.1).abs() < 1e-6, "{key} before");
            } else if i >= switch_at + ramp {
                assert!((got.0 - settled.0).abs() < 1e-6 && (got.1 - settled.1).abs() < 1e-6, "{key} after");
            } else {
                // Mid-ramp: a linear blend of the two closed forms.
                let f = (i + 1 - switch_at) as f64 / ramp as f64;
                let want = (before.0 + (settled.0 - before.0) * f, before.1 + (settled.1 - before.1) * f);
                assert!((got.0 - want.0).abs() < 1e-5 && (got.1 - want.1).abs() < 1e-5, "{key} ramp at {i}");
            }
        }
    }
}

#[test]
fn utility_gain_glides_in_db_and_lands_exactly() {
    let x = vec![0.5f32; 2_000];
    let mut u = build("utility", &[("gain", 0.0)]);
    u.set_param(index("utility", "gain"), -12.0);
    let (l, _) = stereo(u.as_mut(), &x, &x, 64);
    for i in 0..l.len() {
        // Linear in dB over 240 samples.
        let db = -12.0 * ((i + 1) as f64 / 240.0).min(1.0);
        let want = 0.5 * 10f64.powf(db / 20.0);
        assert!((f64::from(l[i]) - want).abs() < 1e-6, "sample {i}: {} vs {want}", l[i]);
    }
}

#[test]
fn utility_on_a_mono_track_applies_gain_and_polarity_only() {
    let x = noise(6, 3_000, 0.7);
    for (params, g) in [
        (vec![("width", 0.0), ("swap", 1.0), ("mono", 1.0)], 1.0),
        (vec![("invert_left", 1.0), ("gain", -6.0)], -10f64.powf(-6.0 / 20.0)),
        (vec![("invert_right", 1.0), ("width", 200.0)], -1.0),
        (vec![("invert_left", 1.0), ("invert_right", 1.0)], -1.0),
    ] {
        let got = mono(build("utility", &params).as_mut(), &x, BLOCK);
        let want: Vec<f64> = x.iter().map(|v| f64::from(*v) * g).collect();
        assert_close(&got, &want, 1e-6, &format!("{params:?}"));
    }
}
