//! The index of text ids: open addressing with linear probing over 8-byte slots (a hash tag and
//! the id's index) into the arena of id texts.
//!
//! A look-up on a large plan is a chain of cache misses: the slot, the id's offsets in the
//! arena, its text. One look-up at a time, the processor waits for each; a general hash table
//! adds a fourth (control bytes apart from the buckets). Look-ups of a whole column go in batches
//! ([`TextIndex::find_batch`]) that issue the slot reads of the batch together, then the offset
//! reads, then the text reads, so the misses overlap: on the 1M-objective benchmark with text
//! ids, resolving key results' objectives and the alignment edges takes half the time it did
//! with `hashbrown`'s table.
//!
//! The tag is the hash's low 32 bits: it places the slot (scaled to the table, whatever its
//! size) and rules out almost every slot whose id differs without reading its text; growing
//! re-places slots by their tags alone.

/// One slot, `[tag, index + 1]`: the low 32 bits of the id's hash and its index plus one (0: the
/// slot is empty). All zeros is empty, so a new table comes from zeroed memory that the
/// operating system maps on first touch, by whichever thread fills that part, instead of being
/// written out up front.
type Slot = [u32; 2];

const EMPTY: Slot = [0; 2];

#[inline]
fn is_empty(slot: &Slot) -> bool {
    slot[1] == 0
}

/// How many look-ups a batch issues together: enough to keep the processor's outstanding misses
/// busy, few enough that their slots stay in the first-level cache until read.
pub(crate) const BATCH: usize = 16;

/// Text ids by hash, each slot the index of an id of the arena ([`Texts`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct TextIndex {
    slots: Vec<Slot>,
    len: usize,
}

/// The text of every id: id `i` is `text[ends[i - 1] .. ends[i]]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Texts<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) ends: &'a [u32],
}

impl Texts<'_> {
    #[inline]
    fn start(&self, index: usize) -> u32 {
        if index == 0 {
            0
        } else {
            self.ends.get(index - 1).copied().unwrap_or(0)
        }
    }

    /// Where id `index`'s text lies (`None` past the last id).
    #[inline]
    pub(crate) fn range(&self, index: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(index)? as usize;
        Some(self.start(index) as usize..end)
    }
}

/// The id of `slot` is `s` (false if out of range).
#[inline]
fn same(arena: Texts<'_>, slot: &Slot, s: &[u8]) -> bool {
    arena.range(slot[1] as usize - 1).and_then(|r| arena.text.get(r)) == Some(s)
}

impl TextIndex {
    /// Room for `n` ids without growing.
    pub(crate) fn with_capacity(n: usize) -> TextIndex {
        TextIndex { slots: vec![EMPTY; Self::slots_for(n)], len: 0 }
    }

    /// Slots for `n` ids: at most two thirds full, so a probe ends within a few slots.
    fn slots_for(n: usize) -> usize {
        (n + n / 2 + 1).max(16)
    }

    /// The first slot to probe for `tag`: the tag scaled to the table (no power-of-two size
    /// needed, so the table is sized to its ids).
    #[inline]
    fn home(&self, tag: u32) -> usize {
        ((u64::from(tag) * self.slots.len() as u64) >> 32) as usize
    }

    #[inline]
    fn next(&self, at: usize) -> usize {
        if at + 1 == self.slots.len() {
            0
        } else {
            at + 1
        }
    }

    /// The index of the id `s` (hash `tag`), if present.
    pub(crate) fn find(&self, arena: Texts<'_>, tag: u32, s: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.probe(arena, tag, s, self.home(tag))
    }

    /// Probes from slot `at` until `s` or an empty slot.
    #[inline]
    fn probe(&self, arena: Texts<'_>, tag: u32, s: &[u8], mut at: usize) -> Option<u32> {
        loop {
            let slot = &self.slots[at];
            if is_empty(slot) {
                return None;
            }
            if slot[0] == tag && same(arena, slot, s) {
                return Some(slot[1] - 1);
            }
            at = self.next(at);
        }
    }

    /// Looks up a batch of ids, `(tag, text)` each (at most [`BATCH`]), into `out` (`u32::MAX`
    /// for those missing): slot reads first, then offset reads, then text reads, each issued
    /// for the whole batch before any is waited on.
    pub(crate) fn find_batch(&self, arena: Texts<'_>, keys: &[(u32, &[u8])], out: &mut [u32; BATCH]) {
        let n = keys.len().min(BATCH);
        if self.slots.is_empty() {
            out[..n].fill(u32::MAX);
            return;
        }
        // The first slot of each key: independent reads, which the processor overlaps.
        let mut at = [0usize; BATCH];
        let mut first = [EMPTY; BATCH];
        for j in 0..n {
            at[j] = self.home(keys[j].0);
            first[j] = self.slots[at[j]];
        }
        // The end offset, then the first byte, of each likely match: these reads overlap
        // likewise.
        let mut start = [0u32; BATCH];
        for j in 0..n {
            let slot = &first[j];
            if slot[0] == keys[j].0 && !is_empty(slot) {
                start[j] = arena.start(slot[1] as usize - 1);
            }
        }
        let mut touched = 0u8;
        for j in 0..n {
            touched ^= arena.text.get(start[j] as usize).copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        for j in 0..n {
            let (tag, s) = keys[j];
            let slot = &first[j];
            out[j] = if is_empty(slot) {
                u32::MAX
            } else if slot[0] == tag && same(arena, slot, s) {
                slot[1] - 1
            } else {
                self.probe(arena, tag, s, self.next(at[j])).unwrap_or(u32::MAX)
            };
        }
    }

    /// Adds id `index`, whose text is `s`, hash `tag`;
    /// `Err(existing index)` when `s` is already present.
    pub(crate) fn insert(&mut self, arena: Texts<'_>, tag: u32, s: &[u8], index: u32) -> Result<(), u32> {
        if (self.len + 1) * 3 > self.slots.len() * 2 {
            self.grow();
        }
        let mut at = self.home(tag);
        loop {
            let slot = &self.slots[at];
            if is_empty(slot) {
                break;
            }
            if slot[0] == tag && same(arena, slot, s) {
                return Err(slot[1] - 1);
            }
            at = self.next(at);
        }
        self.slots[at] = [tag, index.saturating_add(1)];
        self.len += 1;
        Ok(())
    }

    /// Doubles the table, placing each slot by its tag (no text is read).
    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; Self::slots_for(self.len.max(8) * 2)]);
        for slot in old.into_iter().filter(|s| !is_empty(s)) {
            let mut at = self.home(slot[0]);
            while !is_empty(&self.slots[at]) {
                at = self.next(at);
            }
            self.slots[at] = slot;
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_through_growth_and_collisions() {
        let (mut text, mut ends) = (String::new(), Vec::new());
        let mut index = TextIndex::with_capacity(2);
        // Tags that collide (same home, same tag) still tell their texts apart.
        let ids: Vec<(u32, String)> = (0..500u32).map(|i| (i % 7 * 0x1000_0000, format!("t{i}"))).collect();
        for (i, (tag, s)) in ids.iter().enumerate() {
            text.push_str(s);
            ends.push(text.len() as u32);
            let arena = Texts { text: text.as_bytes(), ends: &ends };
            assert_eq!(index.insert(arena, *tag, s.as_bytes(), i as u32), Ok(()));
        }
        let arena = Texts { text: text.as_bytes(), ends: &ends };
        assert_eq!(index.insert(arena, ids[3].0, b"t3", 999), Err(3));
        // A prefix or an extension of a held id is another id.
        assert_eq!(index.find(arena, ids[12].0, b"t1"), None);
        assert_eq!(index.find(arena, ids[1].0, b"t12"), None);
        let mut out = [0u32; BATCH];
        for chunk in ids.chunks(BATCH) {
            let keys: Vec<(u32, &[u8])> = chunk.iter().map(|(t, s)| (*t, s.as_bytes())).collect();
            index.find_batch(arena, &keys, &mut out);
            for (j, (tag, s)) in chunk.iter().enumerate() {
                assert_eq!(index.find(arena, *tag, s.as_bytes()), Some(out[j]));
                assert_eq!(&ids[out[j] as usize].1, s);
            }
        }
        let absent: Vec<(u32, &[u8])> = vec![(0, b"t"), (0x1000_0000, b"t1x"), (5, b"")];
        index.find_batch(arena, &absent, &mut out);
        assert_eq!(&out[..3], &[u32::MAX; 3]);
        assert_eq!(TextIndex::default().find(arena, 0, b""), None);
    }
}
