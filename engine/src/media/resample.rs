//! Sample-rate conversion with rubato.
//!
//! Rates whose ratio reduces to small integers (44.1k <-> 48k, 48k <-> 96k, ...)
//! use rubato's synchronous FFT resampler, which keeps spurs far below -100 dBFS;
//! odd ratios fall back to its windowed-sinc resampler.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

/// The largest reduced block (rate / gcd) the FFT resampler is used for.
const MAX_FFT_BLOCK: usize = 8192;

/// Resamples every channel from `from` Hz to `to` Hz. The output has exactly
/// `ceil(frames * to / from)` frames and no added delay.
pub fn resample(channels: Vec<Vec<f32>>, from: u32, to: u32) -> Result<Vec<Vec<f32>>, String> {
    if from == to || channels.is_empty() {
        return Ok(channels);
    }
    let n_ch = channels.len();
    let frames = channels[0].len();
    let (from_u, to_u) = (from as usize, to as usize);
    let g = gcd(from_u, to_u);
    let mut resampler: Box<dyn Resampler<f32>> = if from_u / g <= MAX_FFT_BLOCK && to_u / g <= MAX_FFT_BLOCK {
        Box::new(Fft::<f32>::new(from_u, to_u, 4096, n_ch, FixedSync::Input).map_err(|e| e.to_string())?)
    } else {
        let params = SincInterpolationParameters::new(256, WindowFunction::BlackmanHarris2)
            .oversampling_factor(256)
            .interpolation(SincInterpolationType::Cubic);
        Box::new(
            Async::<f32>::new_sinc(to as f64 / from as f64, 1.0, &params, 4096, n_ch, FixedAsync::Input)
                .map_err(|e| e.to_string())?,
        )
    };
    let input = SequentialSliceOfVecs::new(&channels, n_ch, frames).map_err(|e| e.to_string())?;
    let capacity = resampler.process_all_needed_output_len(frames);
    let mut out: Vec<Vec<f32>> = vec![vec![0.0; capacity]; n_ch];
    let produced = {
        let mut output =
            SequentialSliceOfVecs::new_mut(&mut out, n_ch, capacity).map_err(|e| e.to_string())?;
        resampler.process_all_into_buffer(&input, &mut output, frames, None).map_err(|e| e.to_string())?.1
    };
    drop(channels);
    // rubato rounds a float ratio up; the exact length is the rational one.
    let exact = (frames as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    for ch in &mut out {
        ch.truncate(produced.min(exact));
        ch.shrink_to_fit();
    }
    Ok(out)
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
