//! Finding the bundled demo session, and generating its media on first use
//! (the repository and the package carry the generator, not the audio).
//!
//! A source checkout's `assets/demo` gets its media generated in place. An
//! installed package's copy (`/usr/share/mixdesk/demo`) is never written to:
//! the session is copied once into the user's data folder
//! (`~/.local/share/mixdesk/demo`), the media generated there, and that copy is
//! what opens, so the user can edit and save the demo like any session.

use std::path::{Path, PathBuf};

use mixdesk_engine::demo;

/// Where the bundled demo session was found.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoDir {
    /// A folder the demo's media is generated into: `$MIXDESK_DEMO_DIR` or a
    /// source checkout's `assets/demo`.
    InPlace(PathBuf),
    /// An installed package's read-only demo (`PREFIX/share/mixdesk/demo`).
    Installed(PathBuf),
}

/// The demo folder: `$MIXDESK_DEMO_DIR`, else `assets/demo` found from the
/// executable's folder upwards (a source checkout), else `../share/mixdesk/demo`
/// beside the executable (an installed package), else `./assets/demo`.
pub fn demo_dir() -> DemoDir {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::canonicalize(p).ok());
    locate(std::env::var_os("MIXDESK_DEMO_DIR").map(PathBuf::from), exe.as_deref())
}

fn locate(env_dir: Option<PathBuf>, exe: Option<&Path>) -> DemoDir {
    if let Some(dir) = env_dir {
        return DemoDir::InPlace(dir);
    }
    if let Some(exe) = exe {
        for dir in exe.ancestors().skip(1) {
            let candidate = dir.join("assets").join("demo");
            if candidate.join(demo::SESSION_FILE).is_file() {
                return DemoDir::InPlace(candidate);
            }
        }
        if let Some(prefix) = exe.parent().and_then(Path::parent) {
            let installed = prefix.join("share").join("mixdesk").join("demo");
            if installed.join(demo::SESSION_FILE).is_file() {
                return DemoDir::Installed(installed);
            }
        }
    }
    DemoDir::InPlace(PathBuf::from("assets").join("demo"))
}

/// The user's copy of an installed demo: `$XDG_DATA_HOME/mixdesk/demo`, or
/// `$HOME/.local/share/mixdesk/demo` when XDG_DATA_HOME is unset or relative
/// (as the XDG base directory specification says).
pub fn user_demo_dir() -> Result<PathBuf, String> {
    user_demo_dir_from(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
}

fn user_demo_dir_from(
    xdg_data_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Result<PathBuf, String> {
    let data = match (xdg_data_home.map(PathBuf::from), home.map(PathBuf::from)) {
        (Some(xdg), _) if xdg.is_absolute() => xdg,
        (_, Some(home)) if home.is_absolute() => home.join(".local").join("share"),
        _ => {
            return Err(
                "neither XDG_DATA_HOME nor HOME is set to an absolute path, so there is no folder to \
put the demo's audio in; set HOME, or MIXDESK_DEMO_DIR to a writable folder holding demo.mixdesk"
                    .into(),
            );
        }
    };
    Ok(data.join("mixdesk").join("demo"))
}

/// The demo session file `mixdesk` opens, with its media generated first if
/// missing (and, for an installed demo, the session copied to the user's
/// folder first).
pub fn ensure_demo() -> Result<PathBuf, String> {
    let dir = match demo_dir() {
        DemoDir::InPlace(dir) => dir,
        DemoDir::Installed(installed) => {
            let user = user_demo_dir()?;
            copy_session_once(&installed, &user)?;
            user
        }
    };
    let session = dir.join(demo::SESSION_FILE);
    if !session.is_file() {
        return Err(format!(
            "the demo session {} is missing; run `mixdesk demo --out DIR` to write one, or set MIXDESK_DEMO_DIR",
            session.display()
        ));
    }
    if !demo::media_present(&dir) {
        crate::cli::out::errln!(
            "mixdesk: generating the demo's audio in {} (once) ...",
            dir.join(demo::MEDIA_DIR).display()
        );
        demo::generate(&dir).map_err(|e| {
            format!("cannot write the demo's audio into {}: {e}. Make the folder writable or set MIXDESK_DEMO_DIR to a writable copy.", dir.display())
        })?;
    }
    Ok(session)
}

/// Copies the installed demo session into `user` unless a copy is already
/// there (it may hold the user's edits, which are never overwritten).
fn copy_session_once(installed: &Path, user: &Path) -> Result<(), String> {
    let to = user.join(demo::SESSION_FILE);
    if to.exists() {
        return Ok(());
    }
    let from = installed.join(demo::SESSION_FILE);
    std::fs::create_dir_all(user)
        .and_then(|()| std::fs::copy(&from, &to))
        .map(|_| ())
        .map_err(|e| {
            format!(
                "cannot copy the demo session {} to {}: {e}. Make {} writable, or set MIXDESK_DEMO_DIR to a writable folder holding demo.mixdesk",
                from.display(),
                to.display(),
                user.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn an_installed_binary_finds_the_demo_under_its_prefix_share() {
        let root = tempfile::tempdir().unwrap();
        let exe = root.path().join("usr/bin/mixdesk");
        write(&exe, "");
        assert_eq!(locate(None, Some(&exe)), DemoDir::InPlace(PathBuf::from("assets/demo")));
        write(&root.path().join("usr/share/mixdesk/demo/demo.mixdesk"), "(version: 2)");
        assert_eq!(locate(None, Some(&exe)), DemoDir::Installed(root.path().join("usr/share/mixdesk/demo")));
    }

    #[test]
    fn a_checkout_and_the_environment_come_before_the_installed_demo() {
        let root = tempfile::tempdir().unwrap();
        let exe = root.path().join("target/debug/mixdesk");
        write(&root.path().join("target/share/mixdesk/demo/demo.mixdesk"), "");
        write(&root.path().join("assets/demo/demo.mixdesk"), "");
        assert_eq!(locate(None, Some(&exe)), DemoDir::InPlace(root.path().join("assets/demo")));
        let env = root.path().join("elsewhere");
        assert_eq!(locate(Some(env.clone()), Some(&exe)), DemoDir::InPlace(env));
    }

    #[test]
    fn the_user_folder_follows_xdg_data_home_then_home() {
        let dir = |x: Option<&str>, h: Option<&str>| user_demo_dir_from(x.map(Into::into), h.map(Into::into));
        assert_eq!(dir(Some("/x/data"), Some("/home/a")).unwrap(), PathBuf::from("/x/data/mixdesk/demo"));
        assert_eq!(
            dir(Some("rel"), Some("/home/a")).unwrap(),
            PathBuf::from("/home/a/.local/share/mixdesk/demo")
        );
        assert_eq!(dir(None, Some("/home/a")).unwrap(), PathBuf::from("/home/a/.local/share/mixdesk/demo"));
        let err = dir(None, None).unwrap_err();
        assert!(err.contains("HOME") && err.contains("MIXDESK_DEMO_DIR"), "{err}");
    }

    #[test]
    fn the_installed_session_is_copied_once_and_user_edits_are_kept() {
        let root = tempfile::tempdir().unwrap();
        let installed = root.path().join("share/mixdesk/demo");
        let user = root.path().join("home/.local/share/mixdesk/demo");
        write(&installed.join("demo.mixdesk"), "installed");
        copy_session_once(&installed, &user).unwrap();
        assert_eq!(std::fs::read_to_string(user.join("demo.mixdesk")).unwrap(), "installed");
        std::fs::write(user.join("demo.mixdesk"), "edited by the user").unwrap();
        copy_session_once(&installed, &user).unwrap();
        assert_eq!(std::fs::read_to_string(user.join("demo.mixdesk")).unwrap(), "edited by the user");
    }

    #[test]
    fn a_user_folder_that_cannot_be_made_is_named_in_the_error() {
        let root = tempfile::tempdir().unwrap();
        let installed = root.path().join("share");
        write(&installed.join("demo.mixdesk"), "installed");
        let blocker = root.path().join("file");
        write(&blocker, "not a folder");
        let err = copy_session_once(&installed, &blocker.join("demo")).unwrap_err();
        assert!(
            err.contains(&blocker.join("demo").display().to_string()) && err.contains("MIXDESK_DEMO_DIR"),
            "{err}"
        );
    }
}
