//! The files a bounce writes, checked before anything is rendered.
//!
//! Rule: every output (the mix, each stem, the report files) must be writable
//! by [`atomic`](crate::atomic) (a regular file, a new name, or a link to
//! one: never a FIFO, a device, a folder or a link to nowhere); none may be a
//! file the bounce reads (the session file or a clip's media, also through a
//! symbolic or a hard link: the same device and inode); and no two outputs
//! may be the same file. Otherwise the bounce is refused naming both files
//! and nothing is written.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::BounceError;
use crate::session::media_paths::normalize;

/// The identity of an existing file: its device and inode.
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Checks `outputs` against each other and against `inputs` (see the module rule).
pub(super) fn check(outputs: &[PathBuf], inputs: &[PathBuf]) -> Result<(), BounceError> {
    let read: HashMap<(u64, u64), &PathBuf> = inputs.iter().filter_map(|p| Some((identity(p)?, p))).collect();
    let mut written: HashMap<PathBuf, &PathBuf> = HashMap::new();
    for output in outputs {
        let target = crate::atomic::check_writable(output)
            .map_err(|source| BounceError::Write { path: output.clone(), source })?;
        if let Some(input) = identity(&target).and_then(|id| read.get(&id)) {
            return Err(BounceError::OutputIsInput { output: output.clone(), input: (*input).clone() });
        }
        let key = normalize(&std::path::absolute(&target).unwrap_or(target));
        if let Some(first) = written.insert(key, output) {
            return Err(BounceError::OutputTwice { first: first.clone(), second: output.clone() });
        }
    }
    Ok(())
}

/// Why `output` may not be written, `input` being the file it is.
pub(super) fn what_it_is(output: &Path, input: &Path) -> String {
    let name = |p: &Path| normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_owned()));
    if name(output) == name(input) {
        "the render reads that file".to_owned()
    } else {
        format!("it is {} (the same file through a link), which the render reads", input.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_under_another_name_and_a_repeated_output_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("a.wav");
        std::fs::write(&media, b"audio").unwrap();
        let hard = dir.path().join("hard.wav");
        std::fs::hard_link(&media, &hard).unwrap();
        let fresh = dir.path().join("mix.wav");
        assert!(check(std::slice::from_ref(&fresh), std::slice::from_ref(&media)).is_ok());
        match check(std::slice::from_ref(&hard), std::slice::from_ref(&media)) {
            Err(BounceError::OutputIsInput { output, input }) => {
                assert_eq!((output.as_path(), input.as_path()), (hard.as_path(), media.as_path()));
                assert!(what_it_is(&output, &input).contains("the same file through a link"));
            }
            other => panic!("{other:?}"),
        }
        let again = dir.path().join("sub/../mix.wav");
        assert!(matches!(check(&[fresh, again], &[]), Err(BounceError::OutputTwice { .. })));
    }
}
