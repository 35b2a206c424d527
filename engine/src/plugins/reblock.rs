//! Running a plugin that needs fixed-length blocks in a host whose blocks
//! vary.
//!
//! Mixdesk's blocks are whatever the callback or the bounce hands the graph,
//! cut shorter at automation strides and at the end of a render. Some LV2
//! plugins ask for more (`bufsz:minBlockLength`, `powerOf2BlockLength`,
//! `fixedBlockLength`; x42's convoLV2 needs at least 64 samples and
//! re-partitions its convolution whenever the length changes). [`Reblock`]
//! feeds such a plugin blocks of one length: each input sample goes into a
//! block-long buffer, and when the buffer is full the plugin runs over it;
//! meanwhile what the plugin made of the previous full buffer is played
//! out. That delays the signal by exactly one block, which is added to the
//! plugin's own latency, so delay compensation and the bypass's dry delay
//! keep the strip in time (the same scheme as Ardour's and Carla's
//! fixed-block adapters). Everything is allocated when it is built.

use crate::dsp::Dsp;

/// A processor run in blocks of exactly `block` samples.
#[derive(Debug)]
pub struct Reblock<D: Dsp> {
    inner: D,
    block: usize,
    /// Samples gathered in `pending` (and played out of `ready`) so far.
    at: usize,
    /// The block being gathered.
    pending: [Vec<f32>; 2],
    /// The processed block being played out.
    ready: [Vec<f32>; 2],
    /// The sidechain key gathered beside `pending` (silence where a block
    /// came without one); empty for a plugin that takes no key, which then
    /// gathers nothing.
    key: [Vec<f32>; 2],
    /// Whether any part of the block being gathered came with a key.
    keyed: bool,
}

impl<D: Dsp> Reblock<D> {
    /// `inner` run in blocks of `block` samples (built for that length);
    /// `takes_key`: it has sidechain inputs, so the key is gathered too.
    pub fn new(inner: D, block: usize, takes_key: bool) -> Reblock<D> {
        let block = block.max(1);
        let key_len = if takes_key { block } else { 0 };
        Reblock {
            inner,
            block,
            at: 0,
            pending: [vec![0.0; block], vec![0.0; block]],
            ready: [vec![0.0; block], vec![0.0; block]],
            key: [vec![0.0; key_len], vec![0.0; key_len]],
            keyed: false,
        }
    }

    /// The block length the plugin runs at.
    pub fn block(&self) -> usize {
        self.block
    }
}

impl<D: Dsp> Dsp for Reblock<D> {
    fn set_param(&mut self, index: usize, value: f64) {
        self.inner.set_param(index, value);
    }

    /// Realtime-safe: copies through the preallocated buffers and runs the
    /// plugin once per full block.
    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let channels = io.len().min(2);
        let n = io.first().map_or(0, |c| c.len());
        let mut done = 0;
        while done < n {
            let take = (n - done).min(self.block - self.at);
            for c in 0..channels {
                let (x, pending, ready) =
                    (&mut io[c][done..done + take], &mut self.pending[c], &self.ready[c]);
                pending[self.at..self.at + take].copy_from_slice(x);
                x.copy_from_slice(&ready[self.at..self.at + take]);
            }
            let takes_key = !self.key[0].is_empty();
            for (k, gathered) in self.key.iter_mut().enumerate().filter(|_| takes_key) {
                let gathered = &mut gathered[self.at..self.at + take];
                match key {
                    Some(key) => gathered.copy_from_slice(&key[k][done..done + take]),
                    None => gathered.fill(0.0),
                }
            }
            self.keyed |= takes_key && key.is_some();
            self.at += take;
            done += take;
            if self.at == self.block {
                self.at = 0;
                let [a, b] = &mut self.ready;
                a.copy_from_slice(&self.pending[0]);
                b.copy_from_slice(&self.pending[1]);
                // The key is gathered with the audio, so it stays lined up.
                let key = self.keyed.then(|| [&self.key[0][..], &self.key[1][..]]);
                self.keyed = false;
                match channels {
                    1 => self.inner.process(&mut [&mut a[..]], key),
                    _ => self.inner.process(&mut [&mut a[..], &mut b[..]], key),
                }
            }
        }
    }

    fn latency(&self) -> usize {
        self.block + self.inner.latency()
    }

    fn latency_changed(&self, compiled: usize) -> bool {
        compiled < self.block || self.inner.latency_changed(compiled - self.block)
    }

    fn gain_reduction_db(&self) -> Option<f32> {
        self.inner.gain_reduction_db()
    }

    fn reset(&mut self) {
        self.inner.reset();
        self.at = 0;
        self.keyed = false;
        self.pending.iter_mut().chain(&mut self.ready).chain(&mut self.key).for_each(|b| b.fill(0.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doubles its input and remembers every block length it was given.
    #[derive(Debug, Default)]
    struct Doubler {
        lengths: Vec<usize>,
    }

    impl Dsp for Doubler {
        fn set_param(&mut self, _: usize, _: f64) {}
        fn process(&mut self, io: &mut [&mut [f32]], _: Option<[&[f32]; 2]>) {
            self.lengths.push(io[0].len());
            io.iter_mut().for_each(|c| c.iter_mut().for_each(|x| *x *= 2.0));
        }
        fn reset(&mut self) {}
    }

    #[test]
    fn blocks_of_any_length_reach_the_plugin_as_fixed_blocks_one_block_late() {
        let block = 64;
        let mut r = Reblock::new(Doubler::default(), block, false);
        assert_eq!(r.latency(), block);
        let input: Vec<f32> = (0..5000).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut out = Vec::new();
        // Chunks of 1, 37, 100, 32, 1000, 63, 64, 65 ... samples.
        let sizes = [1, 37, 100, 32, 1000, 63, 64, 65];
        let (mut at, mut k) = (0, 0);
        while at < input.len() {
            let n = sizes[k % sizes.len()].min(input.len() - at);
            let (mut l, mut rr) = (input[at..at + n].to_vec(), input[at..at + n].to_vec());
            r.process(&mut [&mut l[..], &mut rr[..]], None);
            assert_eq!(l, rr, "both channels alike");
            out.extend(l);
            at += n;
            k += 1;
        }
        assert!(r.inner.lengths.iter().all(|&n| n == block), "{:?}", r.inner.lengths);
        assert_eq!(r.inner.lengths.len(), input.len() / block);
        for (i, y) in out.iter().enumerate() {
            let want = if i < block { 0.0 } else { 2.0 * input[i - block] };
            assert_eq!(*y, want, "sample {i}");
        }
        assert!(!r.latency_changed(block), "it adds exactly its block");
    }

    /// Plays its key instead of its input.
    #[derive(Debug, Default)]
    struct KeyEcho;

    impl Dsp for KeyEcho {
        fn set_param(&mut self, _: usize, _: f64) {}
        fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
            for (c, x) in io.iter_mut().enumerate() {
                match key {
                    Some(k) => x.copy_from_slice(k[c]),
                    None => x.fill(-1.0),
                }
            }
        }
        fn reset(&mut self) {}
    }

    #[test]
    fn the_key_is_gathered_with_the_audio_and_stays_lined_up_with_it() {
        let block = 64;
        let mut r = Reblock::new(KeyEcho, block, true);
        let key: Vec<f32> = (0..3000).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut out = Vec::new();
        let sizes = [5, 64, 100, 1, 63, 200];
        let (mut at, mut k) = (0, 0);
        while at < key.len() {
            let n = sizes[k % sizes.len()].min(key.len() - at);
            let (mut l, mut rr) = (vec![9.0; n], vec![9.0; n]);
            let right: Vec<f32> = key[at..at + n].iter().map(|x| -x).collect();
            r.process(&mut [&mut l[..], &mut rr[..]], Some([&key[at..at + n], &right]));
            for (i, (a, b)) in l.iter().zip(&rr).enumerate() {
                assert_eq!(*a, -*b, "sample {}: the key's channels stay apart", at + i);
            }
            out.extend(l);
            at += n;
            k += 1;
        }
        for (i, y) in out.iter().enumerate() {
            let want = if i < block { 0.0 } else { key[i - block] };
            assert_eq!(*y, want, "sample {i}: the key one block late, as the audio");
        }
    }
}
