//! Content fingerprints of media files: size and XXH64 of the bytes, stored in
//! the session so a relink can recognise a file that was renamed.
//!
//! XXH64 (seed 0) is fast (several GB/s), specified and stable across versions
//! and platforms, which a stored hash must be; it is not a cryptographic hash
//! and does not need to be: it only tells apart files of the same size.

use std::io::Read;
use std::path::Path;

use crate::session::Fingerprint;

/// The size and XXH64 of the file at `path`, read once from start to end.
pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let mut file = crate::files::open_regular(path)?;
    let mut hasher = Xxh64::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(Fingerprint { bytes: hasher.total, xxh64: hasher.digest() })
}

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

/// Streaming XXH64 with seed 0 (the reference algorithm, in safe Rust).
#[derive(Debug, Clone)]
pub struct Xxh64 {
    acc: [u64; 4],
    total: u64,
    buf: [u8; 32],
    buffered: usize,
}

impl Default for Xxh64 {
    fn default() -> Xxh64 {
        Xxh64::new()
    }
}

fn round(acc: u64, lane: u64) -> u64 {
    acc.wrapping_add(lane.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1)
}

fn merge(h: u64, acc: u64) -> u64 {
    (h ^ round(0, acc)).wrapping_mul(P1).wrapping_add(P4)
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

impl Xxh64 {
    /// A hasher with seed 0.
    pub fn new() -> Xxh64 {
        Xxh64 {
            acc: [P1.wrapping_add(P2), P2, 0, 0u64.wrapping_sub(P1)],
            total: 0,
            buf: [0; 32],
            buffered: 0,
        }
    }

    /// Feeds `data`.
    pub fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.buffered > 0 {
            let take = (32 - self.buffered).min(data.len());
            self.buf[self.buffered..self.buffered + take].copy_from_slice(&data[..take]);
            self.buffered += take;
            data = &data[take..];
            if self.buffered < 32 {
                return;
            }
            let stripe = self.buf;
            self.stripe(&stripe);
            self.buffered = 0;
        }
        let mut chunks = data.chunks_exact(32);
        for stripe in &mut chunks {
            self.stripe(stripe);
        }
        let rest = chunks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    fn stripe(&mut self, s: &[u8]) {
        for (i, acc) in self.acc.iter_mut().enumerate() {
            *acc = round(*acc, u64_at(s, i * 8));
        }
    }

    /// The hash of everything fed so far.
    pub fn digest(&self) -> u64 {
        let [a, b, c, d] = self.acc;
        let mut h = if self.total >= 32 {
            let h = a.rotate_left(1).wrapping_add(b.rotate_left(7)).wrapping_add(c.rotate_left(12));
            let h = h.wrapping_add(d.rotate_left(18));
            merge(merge(merge(merge(h, a), b), c), d)
        } else {
            P5
        };
        h = h.wrapping_add(self.total);
        let mut rest = &self.buf[..self.buffered];
        while rest.len() >= 8 {
            h ^= round(0, u64_at(rest, 0));
            h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
            rest = &rest[8..];
        }
        if rest.len() >= 4 {
            let v = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
            h ^= u64::from(v).wrapping_mul(P1);
            h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
            rest = &rest[4..];
        }
        for &byte in rest {
            h ^= u64::from(byte).wrapping_mul(P5);
            h = h.rotate_left(11).wrapping_mul(P1);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(P2);
        h ^= h >> 29;
        h = h.wrapping_mul(P3);
        h ^ (h >> 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xxh64(data: &[u8]) -> u64 {
        let mut h = Xxh64::new();
        h.update(data);
        h.digest()
    }

    #[test]
    fn matches_the_published_xxh64_values() {
        assert_eq!(xxh64(b""), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a"), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc"), 0x44BC_2CF5_AD77_0999);
        assert_eq!(xxh64(b"Nobody inspects the spammish repetition"), 0xFBCE_A83C_8A37_8BF1);
    }

    #[test]
    fn feeding_in_pieces_gives_the_same_hash() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let whole = xxh64(&data);
        for split in [1, 5, 31, 32, 33, 64, 999] {
            let mut h = Xxh64::new();
            for piece in data.chunks(split) {
                h.update(piece);
            }
            assert_eq!(h.digest(), whole, "pieces of {split}");
        }
    }
}
