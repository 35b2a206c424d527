//! Finding the bundled demo session, and generating its media on first use
//! (the repository and the package carry the generator, not the audio).

use std::path::{Path, PathBuf};

use mixdesk_engine::demo;

/// The demo folder: `$MIXDESK_DEMO_DIR`, else `assets/demo` found from the
/// executable's folder upwards (a source checkout), else `../share/mixdesk/demo`
/// beside the executable (an installed package), else `./assets/demo`.
pub fn demo_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MIXDESK_DEMO_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::canonicalize(p).ok());
    if let Some(exe) = &exe {
        for dir in exe.ancestors().skip(1) {
            let candidate = dir.join("assets").join("demo");
            if candidate.join(demo::SESSION_FILE).is_file() {
                return candidate;
            }
        }
        if let Some(prefix) = exe.parent().and_then(Path::parent) {
            let installed = prefix.join("share").join("mixdesk").join("demo");
            if installed.join(demo::SESSION_FILE).is_file() {
                return installed;
            }
        }
    }
    PathBuf::from("assets").join("demo")
}

/// The demo session file, with its media generated first if missing.
pub fn ensure_demo() -> Result<PathBuf, String> {
    let dir = demo_dir();
    let session = dir.join(demo::SESSION_FILE);
    if !session.is_file() {
        return Err(format!(
            "the demo session {} is missing; run `mixdesk demo --out DIR` to write one, or set MIXDESK_DEMO_DIR",
            session.display()
        ));
    }
    if !demo::media_present(&dir) {
        eprintln!(
            "mixdesk: generating the demo's audio in {} (once) ...",
            dir.join(demo::MEDIA_DIR).display()
        );
        demo::generate(&dir).map_err(|e| {
            format!("cannot write the demo's audio into {}: {e}. Make the folder writable or set MIXDESK_DEMO_DIR to a writable copy.", dir.display())
        })?;
    }
    Ok(session)
}
