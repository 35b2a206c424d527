//! Decoding any supported file to planar f32 with symphonia.
//!
//! Channel rule: mono and stereo stay as they are. Files with more channels are
//! folded down to stereo, assuming the WAV/SMPTE order (L, R, C, LFE, Ls, Rs,
//! then further pairs): L and R go to their sides at unity, the centre goes to
//! both sides at -3 dB, the LFE is dropped, and every further channel goes to
//! its side (even index left, odd right) at -3 dB. This is the ITU-R BS.775
//! downmix without the LFE.

use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::{MediaError, SourceFormat};

/// A decoded file at its own sample rate, before resampling.
#[derive(Debug)]
pub struct DecodedAudio {
    /// One buffer per channel after fold-down (1 or 2).
    pub channels: Vec<Vec<f32>>,
    /// The file's format.
    pub format: SourceFormat,
}

/// The sample rates a media file may have. Outside it the header is damaged
/// (0 Hz, 4 GHz) or the file is not audio Mixdesk can mix; refusing it up
/// front keeps the resampler from producing absurd lengths.
pub const SOURCE_RATES: std::ops::RangeInclusive<u32> = 1_000..=768_000;

/// At most this many frames are reserved up front from a header's promise (a
/// damaged header can promise anything); longer files grow as they decode.
const MAX_RESERVED_FRAMES: u64 = 1 << 24;

/// A rate outside [`SOURCE_RATES`] is an error naming the file.
fn check_rate(path: &Path, rate: u32) -> Result<u32, MediaError> {
    if SOURCE_RATES.contains(&rate) {
        Ok(rate)
    } else {
        Err(MediaError::Corrupt {
            path: path.to_owned(),
            message: format!(
                "its header gives a sample rate of {rate} Hz, outside the {} to {} Hz audio can have",
                SOURCE_RATES.start(),
                SOURCE_RATES.end()
            ),
        })
    }
}

/// How many undecodable packets a lossy stream may skip before it counts as damaged.
const LOSSY_PACKET_ERRORS_TOLERATED: usize = 3;

/// A file opened for decoding: its format reader and chosen audio track.
struct Opened {
    format: Box<dyn symphonia::core::formats::FormatReader>,
    track_id: u32,
    expected_frames: Option<u64>,
    params: symphonia::core::codecs::audio::AudioCodecParameters,
    codec_name: String,
}

/// Opens `path` and finds its audio track, without decoding any audio.
fn open(path: &Path) -> Result<Opened, MediaError> {
    let owned = || path.to_owned();
    let file = crate::files::open_regular(path).map_err(|e| MediaError::opening(path, e))?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        return Err(MediaError::Corrupt { path: owned(), message: "the file is empty".into() });
    }
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let format = symphonia::default::get_probe()
        .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| match e {
            SymphoniaError::IoError(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => {
                MediaError::Unreadable { path: owned(), message: io.to_string() }
            }
            SymphoniaError::Unsupported(_) | SymphoniaError::IoError(_) => {
                MediaError::Unsupported { path: owned(), message: "not a recognised audio format".into() }
            }
            other => MediaError::Corrupt { path: owned(), message: other.to_string() },
        })?;
    let track = format.default_track(TrackType::Audio).ok_or_else(|| MediaError::Unsupported {
        path: owned(),
        message: "the file holds no audio track".into(),
    })?;
    let track_id = track.id;
    let expected_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| MediaError::Unsupported {
            path: owned(),
            message: "no audio codec parameters".into(),
        })?
        .clone();
    let codec_name = symphonia::default::get_codecs()
        .get_audio_decoder(params.codec)
        .map_or_else(|| params.codec.to_string(), |r| r.codec.info.short_name.to_owned());
    Ok(Opened { format, track_id, expected_frames, params, codec_name })
}

thread_local! {
    /// Set while this thread runs decoder code under [`guarded`].
    static IN_DECODER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic inside the decoder library on a damaged file
/// into a damaged-file error, so one bad file cannot take the application
/// down. The panic message is not printed: the error says what happened. (A
/// panic hook installed once passes every other panic to the previous hook.)
pub(crate) fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, MediaError>) -> Result<T, MediaError> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_DECODER.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_DECODER.with(|d| d.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_DECODER.with(|d| d.set(was));
    result.unwrap_or_else(|_| {
        Err(MediaError::Corrupt {
            path: path.to_owned(),
            message: "the decoder could not make sense of it".into(),
        })
    })
}

/// The file's format (rate, channels, bit depth, codec) from its header, without decoding.
pub fn probe_format(path: &Path) -> Result<SourceFormat, MediaError> {
    guarded(path, || probe_unguarded(path))
}

fn probe_unguarded(path: &Path) -> Result<SourceFormat, MediaError> {
    let o = open(path)?;
    let sample_rate = o.params.sample_rate.filter(|r| *r > 0).ok_or_else(|| MediaError::Corrupt {
        path: path.to_owned(),
        message: "no sample rate in the header".into(),
    })?;
    let sample_rate = check_rate(path, sample_rate)?;
    Ok(SourceFormat {
        sample_rate,
        channels: o.params.channels.as_ref().map_or(0, |c| c.count()),
        bits_per_sample: o.params.bits_per_sample,
        codec: o.codec_name,
    })
}

/// Decodes the whole file at `path` (a decoder panic is a damaged-file error).
pub fn decode_file(path: &Path) -> Result<DecodedAudio, MediaError> {
    guarded(path, || decode_unguarded(path))
}

fn decode_unguarded(path: &Path) -> Result<DecodedAudio, MediaError> {
    let owned = || path.to_owned();
    let Opened { mut format, track_id, expected_frames, params, codec_name } = open(path)?;
    if let Some(rate) = params.sample_rate {
        check_rate(path, rate)?;
    }
    let lossless = is_lossless(&codec_name);
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| MediaError::Unsupported {
            path: owned(),
            message: format!("codec {codec_name}: {e}"),
        })?;

    let mut planes: Vec<Vec<f32>> = Vec::new();
    let mut scratch: Vec<Vec<f32>> = Vec::new();
    let mut rate = params.sample_rate;
    let mut packet_errors = 0usize;
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                if lossless {
                    return Err(MediaError::Corrupt {
                        path: owned(),
                        message: "the file is cut short".into(),
                    });
                }
                break;
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => return Err(MediaError::Corrupt { path: owned(), message: e.to_string() }),
        };
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                rate = rate.or(Some(buf.spec().rate()));
                buf.copy_to_vecs_planar::<f32>(&mut scratch);
                if planes.is_empty() {
                    let reserve = expected_frames.unwrap_or(0).min(MAX_RESERVED_FRAMES) as usize;
                    planes = scratch.iter().map(|_| Vec::with_capacity(reserve)).collect();
                }
                if scratch.len() != planes.len() {
                    return Err(MediaError::Corrupt {
                        path: owned(),
                        message: "the channel count changes inside the file".into(),
                    });
                }
                for (plane, s) in planes.iter_mut().zip(&scratch) {
                    plane.extend_from_slice(s);
                }
            }
            Err(SymphoniaError::DecodeError(msg)) => {
                packet_errors += 1;
                if lossless || packet_errors > LOSSY_PACKET_ERRORS_TOLERATED {
                    return Err(MediaError::Corrupt { path: owned(), message: msg.to_owned() });
                }
            }
            Err(SymphoniaError::IoError(_)) if !lossless => break,
            Err(e) => return Err(MediaError::Corrupt { path: owned(), message: e.to_string() }),
        }
    }
    let frames = planes.first().map_or(0, Vec::len);
    if frames == 0 {
        return Err(MediaError::Corrupt { path: owned(), message: "it holds no audio".into() });
    }
    if lossless
        && let Some(expected) = expected_frames
        && (frames as u64) < expected
    {
        return Err(MediaError::Corrupt {
            path: owned(),
            message: format!(
                "the header promises {expected} frames but only {frames} are there (cut short?)"
            ),
        });
    }
    let sample_rate = rate
        .filter(|r| *r > 0)
        .ok_or_else(|| MediaError::Corrupt { path: owned(), message: "no sample rate".into() })?;
    let sample_rate = check_rate(path, sample_rate)?;
    for plane in &mut planes {
        sanitize(plane);
    }
    let source_channels = planes.len();
    let channels = fold_to_stereo(planes);
    Ok(DecodedAudio {
        channels,
        format: SourceFormat {
            sample_rate,
            channels: source_channels,
            bits_per_sample: params.bits_per_sample,
            codec: codec_name,
        },
    })
}

/// The largest sample magnitude imported: +120 dBFS, far beyond any real
/// float file's headroom, and small enough that sums in the resampler's FFT
/// cannot overflow.
const MAX_SAMPLE: f32 = 1e6;

/// Damaged float files can hold NaN, infinities or absurd values: NaN and
/// infinities are imported as silence, the rest clamped to [`MAX_SAMPLE`].
fn sanitize(plane: &mut [f32]) {
    for s in plane {
        *s = sanitize_sample(*s);
    }
}

/// One sample as [`sanitize`] leaves it.
#[inline]
pub(crate) fn sanitize_sample(s: f32) -> f32 {
    if s.is_finite() { s.clamp(-MAX_SAMPLE, MAX_SAMPLE) } else { 0.0 }
}

fn is_lossless(codec: &str) -> bool {
    let c = codec.to_ascii_lowercase();
    c.starts_with("pcm") || c.contains("flac") || c.contains("alac")
}

/// Applies the module's fold-down rule to files with more than two channels.
pub(crate) fn fold_to_stereo(mut planes: Vec<Vec<f32>>) -> Vec<Vec<f32>> {
    if planes.len() <= 2 {
        for p in &mut planes {
            p.shrink_to_fit();
        }
        return planes;
    }
    const MINUS_3DB: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let frames = planes[0].len();
    let mut left = vec![0.0f32; frames];
    let mut right = vec![0.0f32; frames];
    for (index, plane) in planes.iter().enumerate() {
        let (gl, gr) = match index {
            0 => (1.0, 0.0),
            1 => (0.0, 1.0),
            2 => (MINUS_3DB, MINUS_3DB),
            3 => continue,
            i if i % 2 == 0 => (MINUS_3DB, 0.0),
            _ => (0.0, MINUS_3DB),
        };
        for ((l, r), x) in left.iter_mut().zip(right.iter_mut()).zip(plane) {
            *l += gl * x;
            *r += gr * x;
        }
    }
    vec![left, right]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_channels_fold_by_the_documented_rule() {
        let planes: Vec<Vec<f32>> = (0..6).map(|i| vec![(i + 1) as f32]).collect();
        let out = fold_to_stereo(planes);
        let h = std::f32::consts::FRAC_1_SQRT_2;
        assert!((out[0][0] - (1.0 + 3.0 * h + 5.0 * h)).abs() < 1e-6);
        assert!((out[1][0] - (2.0 + 3.0 * h + 6.0 * h)).abs() < 1e-6);
    }
}
