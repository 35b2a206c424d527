//! Atomic file writes: write a temporary file beside the target, fsync it, and
//! rename it over the target, so a crash or a full disk never leaves a
//! half-written file where a good one was.
//!
//! Rules, for every file Mixdesk writes:
//!
//! - The temporary is created exclusively (`O_EXCL`, so a planted file or
//!   symbolic link at its name is never opened or followed) under a name no
//!   one can predict: `.NAME.tmp-PID-XXXXXX`, six random characters after the
//!   process id (the id lets [`remove_stale_temporaries`] tell a dead save's
//!   leftovers from a running one's).
//! - Only a regular file is ever replaced. A FIFO, a device, a socket or a
//!   directory at the target is refused (renaming over it would replace the
//!   node itself: as root, `/dev/full`). A symbolic link the user named (a
//!   session, a bounce's output) is followed: its target is written, beside
//!   which the temporary and the `.bak` go, and the link stays. A dangling
//!   link is refused. Files Mixdesk names itself beside the user's (the
//!   autosave sidecar, the `.bak`, caches) are written with
//!   [`write_replacing_links`], which replaces a link at that name by a file
//!   and never writes through it.
//! - The new file keeps the permission bits (and, where allowed, the owner)
//!   of the file it replaces, and the `.bak` gets the same bits; a new file
//!   gets 0666 less the umask, as any program's would.

use std::ffi::OsString;
use std::fs::{self, File, Metadata, Permissions};
use std::io::{self, BufWriter};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Writes `path` atomically with the bytes `write` produces (see the module
/// rules; a symbolic link at `path` is written through).
///
/// With `keep_backup`, an existing file at `path` is first copied to `PATH.bak`
/// (itself atomically), so the previous version survives. On any error the
/// temporary file is removed and the existing file is untouched.
pub fn write_atomically<F>(path: &Path, keep_backup: bool, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let (target, file) = AtomicFile::create(path)?;
    finish(target, file, keep_backup, write)
}

/// Like [`write_atomically`] without a backup, for files Mixdesk names itself
/// beside the user's: a symbolic link at `path` is replaced by the file, never
/// written through.
pub fn write_replacing_links<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let (target, file) = AtomicFile::start(path, Links::Replace, None)?;
    finish(target, file, false, write)
}

fn finish<F>(target: AtomicFile, file: File, keep_backup: bool, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let mut writer = BufWriter::new(file);
    write(&mut writer)?;
    writer.into_inner().map_err(|e| e.into_error())?;
    target.commit(keep_backup)
}

/// What to do with a symbolic link at the final path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Links {
    /// Write the file it points to (a path the user named).
    Follow,
    /// Replace the link itself (a file Mixdesk names).
    Replace,
}

/// A file being written beside its final path. [`AtomicFile::commit`] puts it in
/// place; dropping it uncommitted removes the temporary, so an error or a panic
/// part-way leaves nothing behind and the old file untouched.
#[derive(Debug)]
pub struct AtomicFile {
    /// The path as given, for messages.
    path: PathBuf,
    /// The file that is replaced: `path`, or the file a link at `path` points to.
    target: PathBuf,
    /// The temporary (removed when dropped unless persisted).
    temp: tempfile::TempPath,
    /// The temporary, open, for the final fsync.
    file: File,
    /// The permission bits of the file being replaced, if there is one.
    mode: Option<u32>,
}

impl AtomicFile {
    /// Starts writing what will become `path` (a symbolic link there is
    /// followed, see the module rules): returns the guard and the temporary
    /// file to write into. Fails at once, before anything is written, when the
    /// target is not a regular file or a link to nowhere.
    pub fn create(path: &Path) -> io::Result<(AtomicFile, File)> {
        AtomicFile::start(path, Links::Follow, None)
    }

    /// The guard and temporary for `path`; `mode` overrides the permission
    /// bits (else those of the file replaced, or 0666 less the umask).
    fn start(path: &Path, links: Links, mode: Option<u32>) -> io::Result<(AtomicFile, File)> {
        let target = match links {
            Links::Follow => resolve_links(path)?,
            Links::Replace => path.to_owned(),
        };
        let existing = replaceable(&target, links)?;
        let mode = mode.or(existing.as_ref().map(|m| m.permissions().mode() & 0o777));
        let mut prefix = OsString::from(".");
        prefix.push(target.file_name().unwrap_or_default());
        prefix.push(format!(".tmp-{}-", std::process::id()));
        let named = tempfile::Builder::new()
            .prefix(&prefix)
            .rand_bytes(6)
            .permissions(Permissions::from_mode(mode.unwrap_or(0o666)))
            .tempfile_in(folder_of(&target))?;
        let (file, temp) = named.into_parts();
        if let Some(mode) = mode {
            // Exactly these bits: the creation mode above was cut by the umask.
            file.set_permissions(Permissions::from_mode(mode))?;
        }
        if let Some(m) = &existing {
            // Best effort: only root may give a file away; others keep their own.
            let _ = std::os::unix::fs::fchown(&file, Some(m.uid()), Some(m.gid()));
        }
        let guard = AtomicFile { path: path.to_owned(), target, temp, file: file.try_clone()?, mode };
        Ok((guard, file))
    }

    /// Fsyncs the (closed, flushed) temporary and renames it into place, first
    /// copying any existing file to `PATH.bak` when `keep_backup` is set (the
    /// backup gets the file's permission bits).
    pub fn commit(self, keep_backup: bool) -> io::Result<()> {
        let AtomicFile { target, temp, file, mode, .. } = self;
        file.sync_all()?;
        drop(file);
        if keep_backup {
            keep_previous(&target, mode).map_err(|e| {
                let bak = backup_path(&target);
                io::Error::new(
                    e.kind(),
                    format!("cannot keep the previous version as {}: {e}", bak.display()),
                )
            })?;
        }
        temp.persist(&target).map_err(|e| e.error)?;
        sync_parent(&target);
        Ok(())
    }

    /// The final path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Copies the file at `target` (if there is one) to `TARGET.bak`, atomically,
/// with the permission bits `mode`.
fn keep_previous(target: &Path, mode: Option<u32>) -> io::Result<()> {
    let mut old = match crate::files::open_regular(target) {
        Ok(f) => f,
        Err(crate::files::OpenError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let (bak, mut copy) = AtomicFile::start(&backup_path(target), Links::Replace, mode)?;
    io::copy(&mut old, &mut copy)?;
    drop(copy);
    bak.commit(false)
}

/// Checks that `path` may be written (see the module rules) before any work
/// is done, and returns the file that would be replaced (the target of a
/// symbolic link at `path`, else `path`).
pub fn check_writable(path: &Path) -> io::Result<PathBuf> {
    let target = resolve_links(path)?;
    replaceable(&target, Links::Follow)?;
    Ok(target)
}

/// The metadata of the regular file at `target` (None when there is nothing
/// to replace), or why it must not be replaced.
fn replaceable(target: &Path, links: Links) -> io::Result<Option<Metadata>> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let kind = meta.file_type();
    if kind.is_file() {
        Ok(Some(meta))
    } else if kind.is_symlink() && links == Links::Replace {
        Ok(None)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file; Mixdesk only replaces regular files",
                crate::files::kind_in_words(kind)
            ),
        ))
    }
}

/// The file a chain of symbolic links at `path` ends at (`path` itself when
/// it is not a link or does not exist); a link to nowhere is an error.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {}
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
        let to = fs::read_link(&current)?;
        let next = match current.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.join(&to),
            _ => to.clone(),
        };
        if let Err(e) = fs::symlink_metadata(&next) {
            return Err(if e.kind() == io::ErrorKind::NotFound {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("it is a symbolic link to {}, which does not exist", to.display()),
                )
            } else {
                e
            });
        }
        current = next;
    }
    Err(io::Error::new(io::ErrorKind::InvalidInput, "it is a loop of symbolic links"))
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The file a save of `path` writes: the end of a chain of symbolic links at
/// `path`, else `path` itself. Its `.bak` and temporaries are beside it.
pub fn target_of(path: &Path) -> PathBuf {
    resolve_links(path).unwrap_or_else(|_| path.to_owned())
}

/// `PATH.bak`: where the previous version of a file is kept (beside the file
/// itself; for a symbolic link, `backup_path(&target_of(link))`).
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// Removes the temporaries that interrupted writes of `path` left beside it
/// (`.NAME.tmp-PID-XXXXXX`, and `.NAME.tmp-PID` from older versions, of
/// processes that are no longer running: a crash or a kill during a save).
/// Returns how many were removed. Only Linux can tell whether a process
/// still runs (`/proc/PID`); elsewhere nothing is removed.
pub fn remove_stale_temporaries(path: &Path) -> usize {
    let Some(name) = path.file_name() else { return 0 };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(folder_of(path)) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
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
    if let Ok(dir) = File::open(folder_of(path)) {
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

    #[test]
    fn the_backup_of_a_private_file_is_private_and_links_at_own_names_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, b"one").unwrap();
        fs::write(backup_path(&p), b"an old, public backup").unwrap();
        fs::set_permissions(backup_path(&p), Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o600)).unwrap();
        write_atomically(&p, true, |w| w.write_all(b"two")).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&p), mode(&backup_path(&p))), (0o600, 0o600));
        // A link at a name Mixdesk owns is replaced, its target untouched.
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let sidecar = dir.path().join(".a.txt.autosave");
        std::os::unix::fs::symlink(&victim, &sidecar).unwrap();
        write_replacing_links(&sidecar, |w| w.write_all(b"autosaved")).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert!(fs::symlink_metadata(&sidecar).unwrap().is_file());
    }

    #[test]
    fn stale_temporaries_of_both_name_forms_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.mixdesk");
        // No process has pid 4194304 (past Linux's largest, 2^22).
        for name in [".s.mixdesk.tmp-4194304", ".s.mixdesk.tmp-4194304-a1B2c3"] {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        let mine = dir.path().join(format!(".s.mixdesk.tmp-{}-zzzzzz", std::process::id()));
        fs::write(&mine, b"x").unwrap();
        assert_eq!(remove_stale_temporaries(&p), if cfg!(target_os = "linux") { 2 } else { 0 });
        assert!(mine.exists());
    }
}
