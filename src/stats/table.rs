//! A compact open-addressing hash table for keys that are already uniform
//! 64-bit hashes (line fingerprints and their per-site mixes).
//!
//! `std::collections::HashMap<u64, u32>` stores a 16-byte padded entry plus a
//! control byte per slot and grows to between 7/16 and 7/8 full: 18 to 37
//! bytes an entry. This table stores keys and values in two arrays (12 bytes a
//! slot for a `u32` value, no padding) and uses linear probing, so a lookup is
//! one multiply and, nearly always, one cache line. It only ever grows: pass 1
//! inserts and adds, pass 2 looks up, nothing is removed.
//!
//! Key 0 marks an empty slot; a real key 0 (a mix that happens to be 0, one
//! chance in 2^64) lives in a side slot, so the table is exact for every key.

/// The largest share of slots in use before the table doubles: 3/4. Linear
/// probing's expected probes for a missing key are `(1 + 1/(1-a)^2) / 2`,
/// 8.5 at 3/4 and 32.5 at 7/8 (Knuth, TAOCP vol. 3, 6.4); pass 1 looks up
/// mostly new lines, so 7/8 would cost more time than the 14 % memory it
/// saves. After a doubling the table is 3/8 full, so a table is 3/8 to 3/4
/// full, 12 / 0.56 = 21 bytes an entry on average for a `u32` value.
const MAX_LOAD_NUM: usize = 3;
const MAX_LOAD_DEN: usize = 4;
const MIN_SLOTS: usize = 16;

/// Fibonacci hashing's multiplier (2^64 / golden ratio, odd). The slot is the
/// top bits of `key × K`: keys of one fingerprint range (a partition, whose
/// top bits agree) still spread over the whole table, and iterating one table
/// in slot order inserts into another in increasing slot order, which keeps
/// linear probing's clusters short when tables are added.
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// A map from uniformly distributed `u64` keys to small `Copy` values.
#[derive(Clone, Debug, Default)]
pub(crate) struct FpTable<V> {
    keys: Vec<u64>,
    vals: Vec<V>,
    len: usize,
    zero: Option<V>,
}

impl<V: Copy + Default> FpTable<V> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len + usize::from(self.zero.is_some())
    }

    /// Bytes held by the slot arrays.
    pub fn memory_bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<u64>()
            + self.vals.capacity() * std::mem::size_of::<V>()
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        // `keys.len()` is a power of two ≥ 16, so the shift is in 1..=60.
        let bits = self.keys.len().trailing_zeros();
        (key.wrapping_mul(K) >> (64 - bits)) as usize
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: u64) -> Option<V> {
        if key == 0 {
            return self.zero;
        }
        if self.keys.is_empty() {
            return None;
        }
        let mask = self.keys.len() - 1;
        let mut i = self.home(key);
        loop {
            let k = self.keys[i];
            if k == key {
                return Some(self.vals[i]);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of `key`, inserted as `V::default()` if absent; the flag
    /// says whether it was absent.
    #[inline]
    pub fn upsert(&mut self, key: u64) -> (&mut V, bool) {
        if key == 0 {
            let absent = self.zero.is_none();
            return (self.zero.get_or_insert_with(V::default), absent);
        }
        if (self.len + 1) * MAX_LOAD_DEN > self.keys.len() * MAX_LOAD_NUM {
            self.grow_to(self.len + 1);
        }
        let mask = self.keys.len() - 1;
        let mut i = self.home(key);
        loop {
            let k = self.keys[i];
            if k == key {
                return (&mut self.vals[i], false);
            }
            if k == 0 {
                self.keys[i] = key;
                self.vals[i] = V::default();
                self.len += 1;
                return (&mut self.vals[i], true);
            }
            i = (i + 1) & mask;
        }
    }

    /// Makes room for `additional` more entries without a further doubling.
    pub fn reserve(&mut self, additional: usize) {
        let want = self.len + additional;
        if want * MAX_LOAD_DEN > self.keys.len() * MAX_LOAD_NUM {
            self.grow_to(want);
        }
    }

    fn grow_to(&mut self, entries: usize) {
        let mut slots = self.keys.len().max(MIN_SLOTS);
        while entries * MAX_LOAD_DEN > slots * MAX_LOAD_NUM {
            slots *= 2;
        }
        let old_keys = std::mem::replace(&mut self.keys, vec![0; slots]);
        let old_vals = std::mem::replace(&mut self.vals, vec![V::default(); slots]);
        let mask = slots - 1;
        for (k, v) in old_keys.into_iter().zip(old_vals) {
            if k != 0 {
                let mut i = self.home(k);
                while self.keys[i] != 0 {
                    i = (i + 1) & mask;
                }
                self.keys[i] = k;
                self.vals[i] = v;
            }
        }
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, V)> + '_ {
        self.zero.map(|v| (0, v)).into_iter().chain(
            self.keys
                .iter()
                .zip(&self.vals)
                .filter(|(&k, _)| k != 0)
                .map(|(&k, &v)| (k, v)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn agrees_with_a_hash_map_on_every_key_including_zero() {
        let mut t = FpTable::<u32>::default();
        let mut m = HashMap::new();
        let mut x = 7u64;
        for i in 0..5000u64 {
            // Clustered keys (small integers, one range of top bits) as well
            // as spread ones.
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = match i % 3 {
                0 => i / 3,
                1 => x,
                _ => x >> 40 << 40,
            };
            *t.upsert(key).0 += 1;
            *m.entry(key).or_insert(0u32) += 1;
        }
        assert_eq!(t.len(), m.len());
        for (&k, &v) in &m {
            assert_eq!(t.get(k), Some(v), "{k}");
        }
        assert_eq!(t.get(0xdead_beef_0000_0001), None);
        let mut back: Vec<(u64, u32)> = t.iter().collect();
        back.sort_unstable();
        let mut want: Vec<(u64, u32)> = m.into_iter().collect();
        want.sort_unstable();
        assert_eq!(back, want);
        assert!(t.memory_bytes() <= 12 * 4 * t.len());
    }
}
