//! A small FxHash-style hasher for the resolver's maps of short borrowed names.

use super::*;

/// A small, fast hasher for short string keys (the FxHash mix); the keys come from one trusted
/// parse, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        // The last 1 to 7 bytes in at most two reads, which may overlap (as rustc-hash does).
        let rest = chunks.remainder();
        let last = match rest.len() {
            0 => 0,
            1..=3 => {
                u64::from(rest[0])
                    | (u64::from(rest[rest.len() / 2]) << 8)
                    | (u64::from(rest[rest.len() - 1]) << 16)
            }
            _ => {
                let low = u32::from_le_bytes(rest[..4].try_into().unwrap_or_default());
                let high =
                    u32::from_le_bytes(rest[rest.len() - 4..].try_into().unwrap_or_default());
                u64::from(low) | (u64::from(high) << 32)
            }
        };
        self.add(last ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

pub(super) fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}
