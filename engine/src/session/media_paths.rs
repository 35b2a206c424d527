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
    /// Rewrites relative media paths, which point into `from_dir`, so they
    /// point at the same files from `to_dir` (for a copy of the session saved
    /// in another folder). Absolute paths stay.
    pub fn rebase_media(&mut self, from_dir: &Path, to_dir: &Path) {
        for c in self.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()) {
            if c.media.is_relative() {
                c.media = relative_lexically(&from_dir.join(&c.media), to_dir);
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

#[cfg(test)]
mod tests {
    use super::*;

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
