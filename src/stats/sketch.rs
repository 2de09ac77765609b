//! A count-min sketch with conservative update: document frequencies in a
//! fixed amount of memory, for `--max-memory`.
//!
//! `depth` rows of `width` counters; a key adds to one counter in each row
//! (a different hash per row) and its count is the smallest of its counters.
//! A counter only ever holds its key's count plus the counts of the other
//! keys that share it, so the sketch **never under-counts**. Cormode and
//! Muthukrishnan (2005) bound the over-count: with `N` the sum of all counts
//! added, `ε = e / width` and `δ = e^-depth`,
//!
//! ```text
//! estimate(x) ≤ count(x) + ε·N   with probability at least 1 − δ (per key)
//! ```
//!
//! (each row's excess has expectation ≤ N / width, so by Markov's inequality
//! it exceeds e·N / width with probability ≤ 1/e, and all `depth` rows must).
//!
//! **Conservative update** (Estan and Varghese, 2002) raises a key's
//! counters only as far as the key's new estimate needs: to
//! `max(counter, min + c)` instead of `counter + c`. Every counter stays at
//! or below the plain sketch's counter for the same stream and at or above
//! every key's true count, so the bound above still holds and the over-count
//! is in practice much smaller (measured in DESIGN.md).
//!
//! **Adding sketches** adds them counter by counter. The sum never
//! under-counts (each side's counters are at least each side's counts) and
//! each summed counter is at most the plain sketch's counter of the two
//! streams together, so the `ε·(N₁ + N₂)` bound holds for the sum; what is
//! lost is the extra tightness of conservative update across the two parts
//! (the sum is not the sketch that one conservative pass over both streams
//! would give). Widths are powers of two and a key's column is the top bits
//! of its row hash, so a wider sketch folds onto a narrower one (counters
//! whose columns share their top bits are added), and rows use fixed seeds,
//! so a deeper sketch's first rows are a shallower one's rows: any two
//! sketches add, at the smaller shape.

/// The most rows a sketch built for a memory budget gets (δ = e^-8 = 0.03 %).
const MAX_DEPTH: u32 = 8;
/// The fewest rows (δ = e^-4 = 1.8 %).
const MIN_DEPTH: u32 = 4;
/// The narrowest sketch: below this the error bound is larger than any
/// count that matters.
const MIN_WIDTH_BITS: u32 = 6;

/// The shape of a count-min sketch: rows and counters per row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SketchShape {
    /// Rows (hash functions).
    pub depth: u32,
    /// log2 of the counters per row.
    pub width_bits: u32,
}

impl SketchShape {
    /// The largest shape whose counters fit in `bytes`: the widest power of
    /// two with four rows, then as many rows (up to eight) as the rest of
    /// the budget holds. `None` when `bytes` holds less than four rows of 64
    /// counters (1 KiB).
    ///
    /// ```
    /// use boilerstrip::stats::SketchShape;
    /// let s = SketchShape::for_bytes(64 << 20).unwrap();
    /// assert_eq!((s.depth, s.width()), (4, 1 << 22));
    /// assert!(s.bytes() <= 64 << 20);
    /// let s = SketchShape::for_bytes(100 << 20).unwrap();
    /// assert_eq!((s.depth, s.width()), (6, 1 << 22));
    /// ```
    pub fn for_bytes(bytes: u64) -> Option<SketchShape> {
        let counters = bytes / 4;
        let per_row = counters / u64::from(MIN_DEPTH);
        if per_row < 1 << MIN_WIDTH_BITS {
            return None;
        }
        let width_bits = 63 - per_row.leading_zeros();
        // Past 2^31 counters a row, a column no longer fits the cell index
        // arithmetic on 32-bit targets; 8 GiB a row is more than any budget.
        let width_bits = width_bits.min(31);
        let depth = (counters >> width_bits).clamp(u64::from(MIN_DEPTH), u64::from(MAX_DEPTH));
        Some(SketchShape {
            depth: depth as u32,
            width_bits,
        })
    }

    /// Counters per row.
    pub fn width(&self) -> u64 {
        1 << self.width_bits
    }

    /// Bytes of the counters.
    pub fn bytes(&self) -> u64 {
        4 * u64::from(self.depth) * self.width()
    }

    /// ε: the over-count bound is ε times the sum of all counts (`e / width`).
    pub fn epsilon(&self) -> f64 {
        std::f64::consts::E / self.width() as f64
    }

    /// δ: the probability that one estimate exceeds the bound (`e^-depth`).
    pub fn delta(&self) -> f64 {
        (-f64::from(self.depth)).exp()
    }
}

/// Per-row seeds (digits of π), so that row `r` hashes alike in every sketch.
const SEEDS: [u64; MAX_DEPTH as usize] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
    0x4528_21e6_38d0_1377,
    0xbe54_66cf_34e9_0c6c,
    0xc0ac_29b7_c97c_50dd,
    0x3f84_d5b5_b547_0917,
];

/// The row-`r` hash of a key: splitmix64's finaliser of the key and the
/// row's seed. Keys are already uniform hashes; the finaliser makes the rows
/// independent of each other and of the bits the key's table and partition
/// use.
#[inline]
fn row_hash(key: u64, row: usize) -> u64 {
    let mut z = key ^ SEEDS[row];
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A count-min sketch (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CountMin {
    shape: SketchShape,
    /// `depth` rows of `width` counters, row after row.
    cells: Vec<u32>,
    /// The sum of all counts added (N in the bound).
    total: u64,
}

impl CountMin {
    pub fn new(shape: SketchShape) -> CountMin {
        CountMin {
            shape,
            cells: vec![0; (u64::from(shape.depth) * shape.width()) as usize],
            total: 0,
        }
    }

    /// [`CountMin::new`], or `None` where the memory for its counters
    /// cannot be had (a budget larger than the machine).
    pub fn try_new(shape: SketchShape) -> Option<CountMin> {
        let n = usize::try_from(u64::from(shape.depth) * shape.width()).ok()?;
        // `vec![0; n]` takes zeroed pages that the system maps only when a
        // counter on them is first written, so a sketch costs the pages it
        // uses; but it aborts where the memory cannot be had. A reservation
        // of the same size, given back at once, asks first.
        let mut probe: Vec<u32> = Vec::new();
        probe.try_reserve_exact(n).ok()?;
        drop(probe);
        Some(CountMin::new(shape))
    }

    /// A sketch read from a file: `cells` must hold `depth × width` counters.
    pub fn from_parts(shape: SketchShape, cells: Vec<u32>, total: u64) -> CountMin {
        assert_eq!(cells.len() as u64, u64::from(shape.depth) * shape.width());
        CountMin {
            shape,
            cells,
            total,
        }
    }

    pub fn shape(&self) -> SketchShape {
        self.shape
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn cells(&self) -> &[u32] {
        &self.cells
    }

    #[inline]
    fn cell(&self, key: u64, row: usize) -> usize {
        let col = (row_hash(key, row) >> (64 - self.shape.width_bits)) as usize;
        (row << self.shape.width_bits) + col
    }

    /// The estimated count of `key`: never below its true count.
    #[inline]
    pub fn estimate(&self, key: u64) -> u32 {
        (0..self.shape.depth as usize)
            .map(|r| self.cells[self.cell(key, r)])
            .min()
            .unwrap_or(0)
    }

    /// Adds `c` to `key`'s count by conservative update.
    #[inline]
    pub fn add(&mut self, key: u64, c: u32) {
        let mut at = [0usize; MAX_DEPTH as usize];
        let depth = self.shape.depth as usize;
        let mut min = u32::MAX;
        for (r, slot) in at.iter_mut().enumerate().take(depth) {
            *slot = self.cell(key, r);
            min = min.min(self.cells[*slot]);
        }
        let target = min.saturating_add(c);
        for &i in &at[..depth] {
            let cell = &mut self.cells[i];
            *cell = (*cell).max(target);
        }
        self.total += u64::from(c);
    }

    /// This sketch folded onto a shape no larger in either dimension.
    fn folded(&self, to: SketchShape) -> Vec<u32> {
        let shift = self.shape.width_bits - to.width_bits;
        let mut out = vec![0u32; (u64::from(to.depth) * to.width()) as usize];
        for r in 0..to.depth as usize {
            let row = &self.cells[r << self.shape.width_bits..(r + 1) << self.shape.width_bits];
            let dst = &mut out[r << to.width_bits..(r + 1) << to.width_bits];
            for (col, &v) in row.iter().enumerate() {
                let d = &mut dst[col >> shift];
                *d = d.saturating_add(v);
            }
        }
        out
    }

    /// Adds `other` counter by counter, at the smaller of the two shapes.
    pub fn merge(&mut self, other: &CountMin) {
        let to = SketchShape {
            depth: self.shape.depth.min(other.shape.depth),
            width_bits: self.shape.width_bits.min(other.shape.width_bits),
        };
        if to != self.shape {
            self.cells = self.folded(to);
            self.shape = to;
        }
        if to == other.shape {
            for (a, &b) in self.cells.iter_mut().zip(&other.cells) {
                *a = a.saturating_add(b);
            }
        } else {
            for (a, b) in self.cells.iter_mut().zip(other.folded(to)) {
                *a = a.saturating_add(b);
            }
        }
        self.total += other.total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_fit_their_budget() {
        assert_eq!(SketchShape::for_bytes(1023), None);
        for bytes in [1024u64, 5000, 1 << 20, 3 << 20, 100 << 20, 1 << 30] {
            let s = SketchShape::for_bytes(bytes).unwrap();
            assert!(s.bytes() <= bytes, "{bytes}");
            // At least half the budget is used.
            assert!(2 * s.bytes() > bytes, "{bytes}");
            assert!((MIN_DEPTH..=MAX_DEPTH).contains(&s.depth));
        }
    }

    #[test]
    fn folding_keeps_every_estimate_at_or_above_the_count() {
        let big = SketchShape {
            depth: 6,
            width_bits: 10,
        };
        let small = SketchShape {
            depth: 4,
            width_bits: 7,
        };
        let mut a = CountMin::new(big);
        let mut b = CountMin::new(small);
        for k in 1..2000u64 {
            a.add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), (k % 5) as u32);
            b.add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), 1);
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.shape(), small);
        for k in 1..2000u64 {
            let key = k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            assert!(ab.estimate(key) > (k % 5) as u32);
        }
    }
}
