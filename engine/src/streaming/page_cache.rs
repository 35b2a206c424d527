//! Hints to the kernel's page cache for the disk thread, and a way for
//! benchmarks to make files cold again.
//!
//! The disk thread reads one chunk at a time. After a seek on a cold cache
//! that is one random read per file, each waiting for the disk before the
//! next is asked for: 64 files at 96 kHz took 260 ms. Announcing the chunks
//! it is about to read first (`POSIX_FADV_WILLNEED`) lets the kernel queue
//! all of them at once, and the reads that follow find them in memory.
//! (`std` has no fadvise; it is one libc call.)

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Asks the kernel to start reading `[offset, offset + len)` of `file` into
/// the page cache now, without waiting for it. A hint: failures are ignored.
#[allow(unsafe_code)]
pub(crate) fn will_need(file: &File, offset: u64, len: u64) {
    let (Ok(offset), Ok(len)) = (libc::off_t::try_from(offset), libc::off_t::try_from(len)) else { return };
    // SAFETY: the descriptor is open for as long as `file` is borrowed, and
    // posix_fadvise only reads its arguments.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), offset, len, libc::POSIX_FADV_WILLNEED);
    }
}

/// Drops the pages of `path` the kernel holds in its cache (those not
/// waiting to be written), so the next read comes from the disk: for
/// measuring cold starts and seeks without root (`mixdesk bench stream
/// --cold`). Never needed for playing.
#[allow(unsafe_code)]
pub fn forget(path: &Path) -> io::Result<()> {
    let file = crate::files::open_regular(path)?;
    // SAFETY: as in `will_need`.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if rc == 0 { Ok(()) } else { Err(io::Error::from_raw_os_error(rc)) }
}
