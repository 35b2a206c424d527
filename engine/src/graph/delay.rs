//! The fixed stereo delays that line sidechain keys up with the audio they
//! key (see `schedule::compensate`): a pure delay before an insert whose key
//! arrives late, a delay on a key that arrives early, and the delay after the
//! key tap of a track that reads ahead so its key is early. Allocated when the
//! graph is compiled; a swapped-in graph takes over the old graph's line of
//! the same length, so the audio in it carries on.

use crate::dsp::delay_line::DelayLine;

/// A delay of a whole number of samples on up to two channels.
#[derive(Debug)]
pub(crate) struct Delay {
    samples: usize,
    lines: [DelayLine; 2],
}

impl Delay {
    /// A silent delay of `samples` (0 passes the signal through).
    pub fn new(samples: usize) -> Delay {
        Delay { samples, lines: [DelayLine::new(samples), DelayLine::new(samples)] }
    }

    /// The delay in samples.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Delays each channel of `io` in place. Realtime-safe.
    pub fn process(&mut self, io: &mut [&mut [f32]]) {
        for (line, buf) in self.lines.iter_mut().zip(io.iter_mut()) {
            line.process(buf, self.samples);
        }
    }

    /// Writes `src` delayed into the first `src[c].len()` samples of `dst`. Realtime-safe.
    pub fn process_into(&mut self, src: [&[f32]; 2], dst: &mut [Vec<f32>; 2]) {
        for ((line, from), to) in self.lines.iter_mut().zip(src).zip(dst.iter_mut()) {
            for (y, x) in to.iter_mut().zip(from) {
                *y = line.push(*x, self.samples);
            }
        }
    }

    /// Takes over `old`'s lines when they are as long as this delay, so what
    /// is in them still comes out; a delay of another length starts silent.
    /// Realtime-safe: it swaps, it does not allocate or free.
    pub fn inherit(&mut self, old: &mut Delay) {
        if self.samples == old.samples {
            std::mem::swap(&mut self.lines, &mut old.lines);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_carries_its_contents_into_the_graph_that_replaces_it() {
        let mut old = Delay::new(3);
        let mut a = [1.0f32, 2.0, 3.0, 4.0];
        old.process(&mut [&mut a]);
        assert_eq!(a, [0.0, 0.0, 0.0, 1.0]);
        let mut new = Delay::new(3);
        new.inherit(&mut old);
        let mut b = [5.0f32, 6.0, 7.0];
        new.process(&mut [&mut b]);
        assert_eq!(b, [2.0, 3.0, 4.0]);
        let mut other = Delay::new(2);
        other.inherit(&mut new);
        let mut dst = [vec![9.0; 3], vec![9.0; 3]];
        other.process_into([&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]], &mut dst);
        assert_eq!(dst, [vec![0.0, 0.0, 1.0], vec![0.0, 0.0, 4.0]], "another length starts silent");
    }
}
