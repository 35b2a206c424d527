//! What a delivered file says about itself: title, artist, album, ISRC and
//! track number as Vorbis comments (FLAC), an ID3v2.4 tag (MP3) or a RIFF
//! `LIST`/`INFO` chunk (WAV); the origination date for the BWF `bext`.

use serde::{Deserialize, Serialize};

/// The tags written into delivered files (the mix; stems get the title of their track).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tags {
    /// The song's title.
    pub title: Option<String>,
    /// The artist.
    pub artist: Option<String>,
    /// The album or EP.
    pub album: Option<String>,
    /// The International Standard Recording Code (12 characters, e.g. `GBAYE2400001`).
    pub isrc: Option<String>,
    /// The track's number on the album.
    pub track: Option<u32>,
    /// A comment (notes for the mastering engineer, say).
    pub comment: Option<String>,
}

impl Tags {
    /// Whether no tag is set.
    pub fn is_empty(&self) -> bool {
        *self == Tags::default()
    }

    /// The tags with the ISRC checked and normalised (upper case, no
    /// hyphens): two letters (the country), three letters or digits (the
    /// registrant), then seven digits (year and designation).
    pub fn checked(mut self) -> Result<Tags, String> {
        if let Some(isrc) = &self.isrc {
            let code: String = isrc.chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase();
            let b = code.as_bytes();
            let ok = b.len() == 12
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && b[2..5].iter().all(u8::is_ascii_alphanumeric)
                && b[5..].iter().all(u8::is_ascii_digit);
            if !ok {
                return Err(format!(
                    "{isrc:?} is not an ISRC: it has 12 characters, like GB-AYE-24-00001 (country, registrant, year, number)"
                ));
            }
            self.isrc = Some(code);
        }
        Ok(self)
    }

    /// `(key, value)` pairs in Vorbis comment names.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        let mut put = |k, x: &Option<String>| {
            if let Some(x) = x.as_ref().filter(|x| !x.is_empty()) {
                v.push((k, x.clone()));
            }
        };
        put("TITLE", &self.title);
        put("ARTIST", &self.artist);
        put("ALBUM", &self.album);
        put("ISRC", &self.isrc);
        put("COMMENT", &self.comment);
        if let Some(n) = self.track {
            v.push(("TRACKNUMBER", n.to_string()));
        }
        v
    }

    /// The body of a FLAC `VORBIS_COMMENT` block (little-endian lengths).
    pub fn vorbis_comment(&self) -> Vec<u8> {
        let vendor = format!("Mixdesk {}", env!("CARGO_PKG_VERSION"));
        let pairs = self.pairs();
        let mut b = Vec::new();
        b.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        b.extend_from_slice(vendor.as_bytes());
        b.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
        for (k, v) in pairs {
            let entry = format!("{k}={v}");
            b.extend_from_slice(&(entry.len() as u32).to_le_bytes());
            b.extend_from_slice(entry.as_bytes());
        }
        b
    }

    /// A whole ID3v2.4 tag (empty when no tag is set).
    pub fn id3(&self) -> std::io::Result<Vec<u8>> {
        self.id3_with_chapters(&[])
    }

    /// [`Tags::id3`] with `chapters` (title, start ms, end ms) as `CHAP`
    /// frames listed in order by a top-level `CTOC` (the album as one MP3).
    pub fn id3_with_chapters(&self, chapters: &[(String, u32, u32)]) -> std::io::Result<Vec<u8>> {
        use id3::TagLike;
        if self.is_empty() && chapters.is_empty() {
            return Ok(Vec::new());
        }
        let mut tag = id3::Tag::new();
        for (i, (title, start, end)) in chapters.iter().enumerate() {
            let title = id3::Frame::text("TIT2", title.clone());
            tag.add_frame(id3::frame::Chapter {
                element_id: format!("chp{}", i + 1),
                start_time: *start,
                end_time: *end,
                start_offset: u32::MAX,
                end_offset: u32::MAX,
                frames: vec![title],
            });
        }
        if !chapters.is_empty() {
            tag.add_frame(id3::frame::TableOfContents {
                element_id: "toc".into(),
                top_level: true,
                ordered: true,
                elements: (1..=chapters.len()).map(|i| format!("chp{i}")).collect(),
                frames: Vec::new(),
            });
        }
        if let Some(t) = &self.title {
            tag.set_title(t.clone());
        }
        if let Some(t) = &self.artist {
            tag.set_artist(t.clone());
        }
        if let Some(t) = &self.album {
            tag.set_album(t.clone());
        }
        if let Some(t) = &self.isrc {
            tag.set_text("TSRC", t.clone());
        }
        if let Some(n) = self.track {
            tag.set_track(n);
        }
        if let Some(c) = &self.comment {
            tag.add_frame(id3::frame::Comment {
                lang: "eng".into(),
                description: String::new(),
                text: c.clone(),
            });
        }
        let mut out = Vec::new();
        tag.write_to(&mut out, id3::Version::Id3v24).map_err(std::io::Error::other)?;
        Ok(out)
    }

    /// The RIFF `INFO` list's sub-chunks (id, text).
    pub fn riff_info(&self) -> Vec<([u8; 4], String)> {
        let mut v = Vec::new();
        for (id, x) in [
            (*b"INAM", &self.title),
            (*b"IART", &self.artist),
            (*b"IPRD", &self.album),
            (*b"ISRC", &self.isrc),
            (*b"ICMT", &self.comment),
        ] {
            if let Some(x) = x.as_ref().filter(|x| !x.is_empty()) {
                v.push((id, x.clone()));
            }
        }
        if let Some(n) = self.track {
            v.push((*b"ITRK", n.to_string()));
        }
        v.push((*b"ISFT", format!("Mixdesk {}", env!("CARGO_PKG_VERSION"))));
        v
    }
}

/// The UTC date and time now as `("yyyy-mm-dd", "hh:mm:ss")` (the `bext`
/// origination fields).
pub fn utc_now() -> (String, String) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (format!("{y:04}-{m:02}-{d:02}"), format!("{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isrc_is_checked_and_normalised() {
        let t = Tags { isrc: Some("gb-aye-24-00001".into()), ..Tags::default() }.checked().unwrap();
        assert_eq!(t.isrc.as_deref(), Some("GBAYE2400001"));
        for bad in ["GBAYE240000", "1BAYE2400001", "GBAYE24000A1"] {
            assert!(Tags { isrc: Some(bad.into()), ..Tags::default() }.checked().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_date_is_a_real_date() {
        let (d, t) = utc_now();
        assert_eq!((d.len(), t.len()), (10, 8), "{d} {t}");
        let year: i32 = d[..4].parse().unwrap();
        assert!((2024..2200).contains(&year), "{d}");
    }
}
