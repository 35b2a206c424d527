//! Pan law, balance and width as closed forms.
//!
//! Mono sources are panned with the session's pan law. With `θ = (p + 1)·π/4`
//! for pan position `p` in [-1, 1], the (left, right) gains are:
//!
//! | law      | left                     | right                    | centre   |
//! |----------|--------------------------|--------------------------|----------|
//! | 0 dB     | min(1, 1 - p)            | min(1, 1 + p)            | 1, 1     |
//! | -3 dB    | cos θ                    | sin θ                    | 0.7071   |
//! | -4.5 dB  | sqrt(cos θ · (1 - p)/2)  | sqrt(sin θ · (1 + p)/2)  | 0.5946   |
//! | -6 dB    | (1 - p)/2                | (1 + p)/2                | 0.5      |
//!
//! Stereo sources are first given their width in mid/side (`M = (L+R)/2`,
//! `S = w·(L-R)/2`, `L' = M + S`, `R' = M - S`), then balanced: the side panned
//! towards stays at unity, and the other side follows the pan law's curve
//! normalised to unity at centre (`gain(p) / gain(0)`). So a stereo track at
//! centre passes through untouched whatever the law.

use crate::session::PanLaw;

/// Left and right gains for a mono source at pan `p`.
pub fn mono_pan_gains(law: PanLaw, p: f64) -> (f64, f64) {
    let p = p.clamp(-1.0, 1.0);
    // sin θ is written cos(π/2 - θ) so the two sides are exact mirrors: gains(p) = swap(gains(-p)).
    let cos_l = ((p + 1.0) * std::f64::consts::FRAC_PI_4).cos();
    let cos_r = ((1.0 - p) * std::f64::consts::FRAC_PI_4).cos();
    match law {
        PanLaw::ZeroDb => ((1.0 - p).min(1.0), (1.0 + p).min(1.0)),
        PanLaw::Minus3Db => (cos_l, cos_r),
        PanLaw::Minus4_5Db => ((cos_l * (1.0 - p) / 2.0).sqrt(), (cos_r * (1.0 + p) / 2.0).sqrt()),
        PanLaw::Minus6Db => ((1.0 - p) / 2.0, (1.0 + p) / 2.0),
    }
}

/// Left and right gains for a stereo source balanced at `p`.
pub fn stereo_balance_gains(law: PanLaw, p: f64) -> (f64, f64) {
    let p = p.clamp(-1.0, 1.0);
    let (cl, cr) = mono_pan_gains(law, 0.0);
    let (l, r) = mono_pan_gains(law, p);
    if p <= 0.0 { (1.0, r / cr) } else { (l / cl, 1.0) }
}

/// A 2x2 gain matrix: `out_l = m[0][0]·l + m[0][1]·r`, `out_r = m[1][0]·l + m[1][1]·r`.
pub type Matrix = [[f64; 2]; 2];

/// The matrix for a source of `channels` (1 or 2) at pan/balance `p` and width `w`,
/// scaled by `gain`. For mono sources only the first column is used.
pub fn strip_matrix(law: PanLaw, channels: usize, p: f64, width: f64, gain: f64) -> Matrix {
    if channels == 1 {
        let (l, r) = mono_pan_gains(law, p);
        [[gain * l, 0.0], [gain * r, 0.0]]
    } else {
        let (bl, br) = stereo_balance_gains(law, p);
        let a = (1.0 + width) / 2.0;
        let b = (1.0 - width) / 2.0;
        [[gain * bl * a, gain * bl * b], [gain * br * b, gain * br * a]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_levels_match_each_laws_name() {
        for (law, db) in [
            (PanLaw::ZeroDb, 0.0),
            (PanLaw::Minus3Db, -3.0103),
            (PanLaw::Minus4_5Db, -4.5154),
            (PanLaw::Minus6Db, -6.0206),
        ] {
            let (l, r) = mono_pan_gains(law, 0.0);
            assert!((20.0 * l.log10() - db).abs() < 1e-3, "{law:?}: {l}");
            assert_eq!(l, r);
        }
    }

    #[test]
    fn equal_power_keeps_power_constant() {
        for i in 0..=20 {
            let p = -1.0 + f64::from(i) / 10.0;
            let (l, r) = mono_pan_gains(PanLaw::Minus3Db, p);
            assert!((l * l + r * r - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn stereo_balance_is_unity_at_centre_and_silences_the_far_side_at_the_extremes() {
        for law in [PanLaw::ZeroDb, PanLaw::Minus3Db, PanLaw::Minus4_5Db, PanLaw::Minus6Db] {
            assert_eq!(stereo_balance_gains(law, 0.0), (1.0, 1.0));
            let (l, r) = stereo_balance_gains(law, 1.0);
            assert!(l.abs() < 1e-12 && r == 1.0);
        }
    }
}
