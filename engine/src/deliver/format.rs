//! The delivery formats: WAV (16/24-bit integer or 32-bit float), FLAC (16 or
//! 24 bit) and MP3 (LAME, CBR or VBR). Chosen by name (`--format`) or by the
//! output file's extension.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::bounce::BitDepth;

/// A delivered file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// Broadcast WAV: 16 or 24-bit integer, or 32-bit float.
    Wav(WavBits),
    /// FLAC, lossless, 16 or 24 bit.
    Flac(FlacBits),
    /// MP3 through LAME.
    Mp3(Mp3Mode),
}

/// A WAV file's sample format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WavBits {
    /// 16-bit integer.
    Int16,
    /// 24-bit integer.
    Int24,
    /// 32-bit float.
    Float32,
}

/// A FLAC file's bits per sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlacBits {
    /// 16 bit.
    Int16,
    /// 24 bit.
    Int24,
}

/// How LAME spends bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mp3Mode {
    /// Constant bit rate in kbit/s (32 to 320).
    Cbr(u16),
    /// Variable bit rate at LAME's quality `-V0` (best) to `-V9`.
    Vbr(u8),
}

/// The CBR rates LAME takes, kbit/s.
pub const MP3_RATES: [u16; 13] = [32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

impl Format {
    /// The format an output's extension names, at its usual depth (24 bit;
    /// MP3 at 320 kbit/s CBR), or `None` for an extension Mixdesk does not write.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "wav" | "wave" | "bwf" => Some(Format::Wav(WavBits::Int24)),
            "flac" => Some(Format::Flac(FlacBits::Int24)),
            "mp3" => Some(Format::Mp3(Mp3Mode::Cbr(320))),
            _ => None,
        }
    }

    /// The format a `--format` name gives (`wav`, `wav16`, `wav24`, `wav32f`,
    /// `flac`, `flac16`, `flac24`, `mp3`, `mp3-320`, `mp3-v0` ... `mp3-v9`).
    pub fn parse(name: &str) -> Result<Format, String> {
        let n = name.trim().to_ascii_lowercase();
        let f = match n.as_str() {
            "wav" | "wav24" => Format::Wav(WavBits::Int24),
            "wav16" => Format::Wav(WavBits::Int16),
            "wav32f" | "wavf" => Format::Wav(WavBits::Float32),
            "flac" | "flac24" => Format::Flac(FlacBits::Int24),
            "flac16" => Format::Flac(FlacBits::Int16),
            "mp3" => Format::Mp3(Mp3Mode::Cbr(320)),
            _ => {
                let mp3 = n.strip_prefix("mp3-").or_else(|| n.strip_prefix("mp3"));
                match mp3 {
                    Some(v) if v.starts_with('v') => match v[1..].parse::<u8>() {
                        Ok(q) if q <= 9 => Format::Mp3(Mp3Mode::Vbr(q)),
                        _ => {
                            return Err(format!(
                                "unknown MP3 VBR quality {name:?}: use mp3-v0 (best) to mp3-v9"
                            ));
                        }
                    },
                    Some(k) => match k.parse::<u16>() {
                        Ok(k) if MP3_RATES.contains(&k) => Format::Mp3(Mp3Mode::Cbr(k)),
                        _ => {
                            return Err(format!(
                                "unknown MP3 bit rate {name:?}: use mp3-320, mp3-256, mp3-192, mp3-128 ... or mp3-v0 to mp3-v9"
                            ));
                        }
                    },
                    None => {
                        return Err(format!(
                            "unknown format {name:?}: use wav16, wav24, wav32f, flac16, flac24, mp3-320 or mp3-v0"
                        ));
                    }
                }
            }
        };
        Ok(f)
    }

    /// The format with its word length set from a `--bits` choice, where the
    /// format has one (MP3 has none).
    pub fn with_depth(self, depth: BitDepth) -> Result<Format, String> {
        Ok(match (self, depth) {
            (Format::Wav(_), BitDepth::Int16) => Format::Wav(WavBits::Int16),
            (Format::Wav(_), BitDepth::Int24) => Format::Wav(WavBits::Int24),
            (Format::Wav(_), BitDepth::Float32) => Format::Wav(WavBits::Float32),
            (Format::Flac(_), BitDepth::Int16) => Format::Flac(FlacBits::Int16),
            (Format::Flac(_), BitDepth::Int24) => Format::Flac(FlacBits::Int24),
            (Format::Flac(_), BitDepth::Float32) => {
                return Err("FLAC stores integers only: choose 16 or 24 bits".into());
            }
            (f @ Format::Mp3(_), _) => f,
        })
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Wav(_) => "wav",
            Format::Flac(_) => "flac",
            Format::Mp3(_) => "mp3",
        }
    }

    /// Integer bits per sample stored (`None` for float WAV and MP3).
    pub fn bits(self) -> Option<u32> {
        match self {
            Format::Wav(WavBits::Int16) | Format::Flac(FlacBits::Int16) => Some(16),
            Format::Wav(WavBits::Int24) | Format::Flac(FlacBits::Int24) => Some(24),
            Format::Wav(WavBits::Float32) | Format::Mp3(_) => None,
        }
    }

    /// Whether the file keeps every sample exactly (so dither applies, and the
    /// report can be measured on the samples as written).
    pub fn is_pcm(self) -> bool {
        !matches!(self, Format::Mp3(_))
    }

    /// Whether the file stores 32-bit float samples.
    pub fn is_float(self) -> bool {
        self == Format::Wav(WavBits::Float32)
    }

    /// Whether TPDF dither is applied under `dither` (after rate conversion,
    /// as the last step before the word is cut).
    pub fn dithers(self, dither: crate::bounce::Dither) -> bool {
        use crate::bounce::Dither;
        match (self.bits(), dither) {
            (None, _) | (_, Dither::None) => false,
            (Some(bits), Dither::Auto) => bits == 16,
            (Some(_), Dither::Tpdf) => true,
        }
    }

    /// A short description: "FLAC 24-bit", "MP3 320 kbit/s CBR", ...
    pub fn describe(self) -> String {
        match self {
            Format::Wav(WavBits::Float32) => "WAV 32-bit float".into(),
            Format::Wav(_) => format!("WAV {}-bit", self.bits().unwrap_or(24)),
            Format::Flac(_) => format!("FLAC {}-bit", self.bits().unwrap_or(24)),
            Format::Mp3(Mp3Mode::Cbr(k)) => format!("MP3 {k} kbit/s CBR"),
            Format::Mp3(Mp3Mode::Vbr(q)) => format!("MP3 VBR -V{q}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions() {
        assert_eq!(Format::parse("flac16"), Ok(Format::Flac(FlacBits::Int16)));
        assert_eq!(Format::parse("MP3-V2"), Ok(Format::Mp3(Mp3Mode::Vbr(2))));
        assert_eq!(Format::parse("mp3-192"), Ok(Format::Mp3(Mp3Mode::Cbr(192))));
        assert!(Format::parse("mp3-191").unwrap_err().contains("bit rate"));
        assert!(Format::parse("ogg").unwrap_err().contains("unknown format"));
        assert_eq!(Format::from_extension(Path::new("a/Song.FLAC")), Some(Format::Flac(FlacBits::Int24)));
        assert_eq!(Format::from_extension(Path::new("song.aiff")), None);
        assert!(Format::Flac(FlacBits::Int24).with_depth(BitDepth::Float32).is_err());
    }
}
