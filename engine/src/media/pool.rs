//! The shared in-memory media pool: each file decoded once (keyed by path,
//! size and modification time), files decoded in parallel on worker threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rayon::prelude::*;

use super::{Media, MediaError, decode_file, resample};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
    rate: u32,
}

/// Decoded media shared by every graph built from a session.
#[derive(Debug, Default)]
pub struct MediaPool {
    cache: Mutex<HashMap<Key, Arc<Media>>>,
}

impl MediaPool {
    /// An empty pool.
    pub fn new() -> MediaPool {
        MediaPool::default()
    }

    /// The file at `path` at `rate` Hz: from the cache if the file is unchanged,
    /// otherwise decoded and resampled now.
    pub fn load(&self, path: &Path, rate: u32) -> Result<Arc<Media>, MediaError> {
        let key = key_for(path, rate)?;
        if let Some(media) = self.lock().get(&key) {
            return Ok(Arc::clone(media));
        }
        let decoded = decode_file(path)?;
        let original = decoded.format;
        // The resampler library asserts on inputs it cannot handle; a panic
        // there is a file it cannot convert, not a reason to stop the app.
        let channels = super::decode::guarded(path, || {
            resample(decoded.channels, original.sample_rate, rate)
                .map_err(|message| MediaError::Corrupt { path: path.to_owned(), message })
        })?;
        let media = Arc::new(Media {
            channels: channels.into_iter().map(Vec::into_boxed_slice).collect(),
            sample_rate: rate,
            original,
        });
        self.lock().insert(key, Arc::clone(&media));
        Ok(media)
    }

    /// The file at `path` at `rate` Hz if the pool holds it and the file is
    /// unchanged; never decodes.
    pub fn cached(&self, path: &Path, rate: u32) -> Option<Arc<Media>> {
        let key = key_for(path, rate).ok()?;
        self.lock().get(&key).cloned()
    }

    /// Loads every path in parallel (each distinct file once); results in input order.
    pub fn load_all(&self, paths: &[PathBuf], rate: u32) -> Vec<Result<Arc<Media>, MediaError>> {
        let mut unique: Vec<&PathBuf> = paths.iter().collect();
        unique.sort();
        unique.dedup();
        let loaded: HashMap<&PathBuf, Result<Arc<Media>, MediaError>> =
            unique.into_par_iter().map(|p| (p, self.load(p, rate))).collect();
        paths.iter().map(|p| loaded[p].clone()).collect()
    }

    /// How many decoded files the pool holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of decoded samples held.
    pub fn sample_bytes(&self) -> usize {
        self.lock().values().map(|m| m.sample_bytes()).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Media>>> {
        // A panic while holding the lock cannot leave the map half-updated
        // (inserts are single calls), so a poisoned lock is still usable.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn key_for(path: &Path, rate: u32) -> Result<Key, MediaError> {
    let meta = crate::files::check_regular(path).map_err(|e| MediaError::opening(path, e))?;
    Ok(Key {
        path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()),
        size: meta.len(),
        modified: meta.modified().ok(),
        rate,
    })
}
