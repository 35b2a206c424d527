//! Where clips' media files are, relative to the session file.
//!
//! Rule for paths outside the session folder: allowed, with a warning.
//! Media may live anywhere (a shared sample library, `../stems`), and
//! Mixdesk only ever reads media, never writes or deletes it, so such a path
//! is not refused; but moving the session folder does not carry those files
//! along, so `mixdesk info` warns about each one (absolute paths, and
//! relative ones that climb out with `..`).

use std::path::{Component, Path, PathBuf};

use super::Session;

/// `path` with `.` removed and each `..` cancelling the component before it,
/// without touching the file system (leading `..` of a relative path stay).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            c => out.push(c),
        }
    }
    out.iter().collect()
}

/// `path` relative to `base`, worked out from the names alone (neither has to
/// exist); `path` made absolute when the two share no root.
pub fn relative_lexically(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_owned()));
    let (path, base) = (abs(path), abs(base));
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path;
    }
    let mut out: PathBuf = std::iter::repeat_n(Component::ParentDir, b.len() - common).collect();
    out.extend(&p[common..]);
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

impl Session {
    /// Every file path the session holds relative to its folder: the clips'
    /// media, the monitor's reference tracks and its impulse response.
    pub fn paths_mut(&mut self) -> impl Iterator<Item = &mut PathBuf> {
        let media = self.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()).map(|c| &mut c.media);
        let m = &mut self.monitor;
        media.chain(m.references.iter_mut().map(|r| &mut r.path)).chain(m.ir.iter_mut())
    }

    /// Rewrites relative paths (media, references, the impulse response),
    /// which point into `from_dir`, so they point at the same files from
    /// `to_dir` (for a copy of the session saved in another folder).
    /// Absolute paths stay.
    pub fn rebase_media(&mut self, from_dir: &Path, to_dir: &Path) {
        for p in self.paths_mut() {
            if p.is_relative() {
                *p = relative_lexically(&from_dir.join(&*p), to_dir);
            }
        }
    }

    /// Media paths that point outside the session's folder: absolute ones and
    /// relative ones that climb out with `..`. Sorted, each once.
    pub fn media_outside_folder(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .tracks
            .iter()
            .flat_map(|t| t.clips.iter())
            .map(|c| &c.media)
            .filter(|m| {
                m.is_absolute()
                    || m.has_root()
                    || matches!(normalize(m).components().next(), Some(Component::ParentDir))
            })
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Serde for media paths that keeps every byte of a name. A path that is
/// UTF-8 (nearly all) is a string, as in every session before; one that is
/// not is a RON byte string, `b"bass\xff.wav"`: the bytes exactly, readable
/// around the odd ones. (Plain serde refuses a path that is not UTF-8, which
/// made saving such a session panic; refusing the file at import would lock
/// out real files from other systems' encodings.) Reading takes either form.
pub mod lossless {
    use std::ffi::OsString;
    use std::fmt;
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::path::{Path, PathBuf};

    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    /// Writes `path` as a string, or as bytes when it is not UTF-8.
    pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
        match path.to_str() {
            Some(text) => s.serialize_str(text),
            None => s.serialize_bytes(path.as_os_str().as_bytes()),
        }
    }

    /// Reads a path written as a string or as bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        d.deserialize_any(PathVisitor)
    }

    struct PathVisitor;

    impl Visitor<'_> for PathVisitor {
        type Value = PathBuf;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a file path, as a string or a byte string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<PathBuf, E> {
            Ok(PathBuf::from(v))
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PathBuf, E> {
            Ok(PathBuf::from(OsString::from_vec(v.to_vec())))
        }

        fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<PathBuf, E> {
            Ok(PathBuf::from(OsString::from_vec(v)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_is_not_utf8_is_a_byte_string_and_reads_back_exactly() {
        use std::os::unix::ffi::OsStrExt;
        let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"media/bass\xff \"1\".wav"));
        let mut s = Session::new(48_000);
        s.tracks.push(crate::session::Track::with_one_clip(1, "a", odd.clone(), crate::units::SampleTime(9)));
        s.tracks.push(crate::session::Track::with_one_clip(
            3,
            "b",
            "plain.wav".into(),
            crate::units::SampleTime(9),
        ));
        let text = crate::session::to_ron_string(&s).unwrap();
        assert!(text.contains(r#"media: b"media/bass\xff \"1\".wav""#), "{text}");
        assert!(text.contains(r#"media: "plain.wav""#), "UTF-8 paths stay strings: {text}");
        let back = crate::session::from_ron_str(&text, Path::new("t.mixdesk")).unwrap();
        assert_eq!(back.tracks[0].clips[0].media, odd);
        assert_eq!(back, s);
    }

    #[test]
    fn normalizes_and_relates_paths_by_name() {
        assert_eq!(normalize(Path::new("a/./b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("../a/../../b")), Path::new("../../b"));
        assert_eq!(normalize(Path::new("/../a")), Path::new("/a"));
        assert_eq!(
            relative_lexically(Path::new("/s/media/a.wav"), Path::new("/s/song.versions")),
            Path::new("../media/a.wav")
        );
        assert_eq!(
            relative_lexically(Path::new("/s/song.versions/../x.wav"), Path::new("/s")),
            Path::new("x.wav")
        );
    }
}
