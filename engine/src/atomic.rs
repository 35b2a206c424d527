//! Atomic file writes: write a temporary file beside the target, fsync it, and
//! rename it over the target, so a crash or a full disk never leaves a
//! half-written file where a good one was.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// Writes `path` atomically with the bytes `write` produces.
///
/// With `keep_backup`, an existing file at `path` is first copied to `PATH.bak`
/// (itself atomically), so the previous version survives. On any error the
/// temporary file is removed and the existing file is untouched.
pub fn write_atomically<F>(path: &Path, keep_backup: bool, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let (target, file) = AtomicFile::create(path)?;
    let mut writer = BufWriter::new(file);
    write(&mut writer)?;
    writer.into_inner().map_err(|e| e.into_error())?;
    target.commit(keep_backup)
}

/// A file being written beside its final path. [`AtomicFile::commit`] puts it in
/// place; dropping it uncommitted removes the temporary, so an error or a panic
/// part-way leaves nothing behind and the old file untouched.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Starts writing what will become `path`: returns the guard and the
    /// temporary file to write into.
    pub fn create(path: &Path) -> io::Result<(AtomicFile, File)> {
        let tmp = temp_path(path);
        let file = File::create(&tmp)?;
        Ok((AtomicFile { path: path.to_owned(), tmp, committed: false }, file))
    }

    /// Fsyncs the (closed, flushed) temporary and renames it into place, first
    /// copying any existing file to `PATH.bak` when `keep_backup` is set.
    pub fn commit(mut self, keep_backup: bool) -> io::Result<()> {
        File::open(&self.tmp)?.sync_all()?;
        if keep_backup && self.path.exists() {
            let (bak, mut copy) = AtomicFile::create(&backup_path(&self.path))?;
            io::copy(&mut File::open(&self.path)?, &mut copy)?;
            drop(copy);
            bak.commit(false)?;
        }
        fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        sync_parent(&self.path);
        Ok(())
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// `PATH.bak`: where the previous version of a file is kept.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// `.NAME.tmp-PID` beside `path`: unique per process, hidden, and on the same file system.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Removes the temporaries that interrupted writes of `path` left beside it
/// (`.NAME.tmp-PID` of processes that are no longer running: a crash or a kill
/// during a save). Returns how many were removed. Only Linux can tell whether
/// a process still runs (`/proc/PID`); elsewhere nothing is removed.
pub fn remove_stale_temporaries(path: &Path) -> usize {
    let Some(name) = path.file_name() else { return 0 };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) =
            file.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_running(pid) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn process_running(pid: u32) -> bool {
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid.to_string()).exists() } else { true }
}

/// Makes the rename durable; best effort (some file systems refuse to open directories).
fn sync_parent(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn writes_and_keeps_the_previous_version_as_bak() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomically(&p, true, |w| w.write_all(b"one")).unwrap();
        write_atomically(&p, true, |w| w.write_all(b"two")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read(backup_path(&p)).unwrap(), b"one");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 2, "no temporary files remain");
    }

    #[test]
    fn a_failing_writer_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, b"good").unwrap();
        let err = write_atomically(&p, true, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"good");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
