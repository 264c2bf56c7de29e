//! Id interning: all ids of a plan in one string arena, with a hash index into it. A million
//! objectives cost one allocation instead of a million.
//!
//! Ids that are integers in canonical decimal form (`42`, not `042` or `+42`) are indexed by
//! value, whether they arrive as integers (columnar input) or as text, so `42` and `"42"` are the
//! same id. Integer ids skip string hashing and comparison entirely: with a million objectives
//! that is most of the cost of building a plan.

use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::hash_table::HashTable;
use hashbrown::DefaultHashBuilder;

use crate::columns::{TextRows, Utf8Ids};
use crate::text_index::{TextIndex, Texts, BATCH};

/// An id as given: text or integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    Text(&'a str),
    Int(i64),
}

impl<'a> Key<'a> {
    /// The canonical form: text that is a canonical integer becomes `Int`.
    fn canonical(self) -> Key<'a> {
        match self {
            Key::Text(s) => match s.parse::<i64>() {
                Ok(v) if canonical_int(s, v) => Key::Int(v),
                _ => self,
            },
            k => k,
        }
    }
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Text(s) => f.write_str(s),
            Key::Int(v) => write!(f, "{v}"),
        }
    }
}

fn canonical_int(s: &str, v: i64) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let plus = s.starts_with('+');
    let leading_zero = digits != "0" && digits.starts_with('0');
    let negative_zero = v == 0 && s.starts_with('-');
    !(plus || leading_zero || negative_zero)
}

/// Every id as text, in one string: id `i` is `text[ends[i - 1] .. ends[i]]`.
#[derive(Debug, Clone, Default)]
struct Arena {
    text: String,
    ends: Vec<u32>,
}

impl Arena {
    fn get(&self, i: u32) -> &str {
        self.texts().range(i as usize).and_then(|r| self.text.get(r)).unwrap_or_default()
    }

    fn texts(&self) -> Texts<'_> {
        Texts { text: self.text.as_bytes(), ends: &self.ends }
    }

    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    fn push_int(&mut self, v: i64) {
        push_int(&mut self.text, v);
        self.ends.push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    fn from_ints(ints: &[i64]) -> Arena {
        let mut a =
            Arena { text: String::with_capacity(ints.len() * 8), ends: Vec::with_capacity(ints.len()) };
        ints.iter().for_each(|&v| a.push_int(v));
        a
    }
}

/// The ids of a plan, indexed in insertion order.
///
/// While every id is a canonical integer (the common case for columnar input), ids are kept as
/// integers and their text is written only when first asked for: a million objectives then cost
/// no string formatting at all. The first text id switches to text mode for good.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    /// Integer mode: id `i` is `ints[i]`. Empty in text mode.
    ints: Vec<i64>,
    text_mode: bool,
    /// Whether a column of text ids was given, though every id may read as an integer
    /// (`"42"`): reports then give every id back as text, as it was given. A document's ids
    /// do not set it: JSON gives a number id as well as a text one, and both read as text.
    text_given: bool,
    /// Text mode: the text of every id. Integer mode: written on first use, dropped on insert.
    arena: OnceLock<Arena>,
    /// Text ids by hash, in two halves (the hash's top bit), so that two threads can fill
    /// them at once ([`Ids::insert_texts`]).
    by_text: [TextIndex; 2],
    by_int: HashTable<(i64, u32)>,
    /// Direct index for integer ids in `dense_min ..`, when the caller declared a compact range:
    /// a flat array stays in cache where a hash table of millions of entries does not.
    dense: Vec<u32>,
    dense_min: i64,
    hasher: DefaultHashBuilder,
    /// How many ids the caller expects: the text index is sized for them when the first text
    /// id arrives, instead of growing (each growth re-reads every id from the arena to rehash
    /// it, a cache miss each on a large plan).
    expected: usize,
}

const ABSENT: u32 = u32::MAX;

/// Which half of the text index a hash belongs to.
#[inline]
fn half(hash: u64) -> usize {
    (hash >> 63) as usize
}

/// Whether `s` could be a canonical integer (which is indexed by value, not by text).
#[inline]
fn starts_like_a_number(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || *b == b'-' || *b == b'+')
}

/// An id to name in a message, formatted only when displayed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdRef<'a> {
    ids: &'a Ids,
    i: u32,
}

impl std::fmt::Display for IdRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ids.ints.get(self.i as usize) {
            Some(v) if !self.ids.text_mode => write!(f, "{v}"),
            _ => f.write_str(self.ids.get(self.i)),
        }
    }
}

/// The row of the first value in `values` that is in `before` or earlier in `values`: a
/// failed build's message names it.
fn first_repeat(before: &[i64], values: &[i64]) -> Option<usize> {
    let mut seen: std::collections::HashSet<i64> = before.iter().copied().collect();
    values.iter().position(|&v| !seen.insert(v))
}

impl Ids {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Ids { ints: Vec::with_capacity(n), expected: n, ..Ids::default() }
    }

    /// Declares that most integer ids lie in `min ..= max`; used when that span is compact.
    pub(crate) fn reserve_dense(&mut self, min: i64, max: i64, count: usize) {
        if let Some(span) = Ids::compact_span(min, max, count) {
            self.dense = vec![ABSENT; span + 1];
            self.dense_min = min;
            self.by_int = HashTable::new();
        }
    }

    /// `max - min` when `count` ids in `min ..= max` are compact enough for
    /// [`Ids::reserve_dense`] to make a flat table of them.
    pub(crate) fn compact_span(min: i64, max: i64, count: usize) -> Option<usize> {
        let span = max.checked_sub(min).and_then(|s| usize::try_from(s).ok());
        span.filter(|&s| s < count.saturating_mul(2) + 1024)
    }

    fn dense_slot(&self, v: i64) -> Option<usize> {
        let offset = usize::try_from(v.checked_sub(self.dense_min)?).ok()?;
        (offset < self.dense.len()).then_some(offset)
    }

    /// Bytes of id text held (0 while every id is an integer).
    pub(crate) fn text_len(&self) -> usize {
        if self.text_mode {
            self.arena.get().map_or(0, |a| a.text.len())
        } else {
            0
        }
    }

    /// Whether every id is a canonical integer and none was given as text (so reports give
    /// them back as integers).
    pub(crate) fn all_integers(&self) -> bool {
        !self.text_mode && !self.text_given
    }

    /// Sets whether the ids count as given as text (see [`Ids::all_integers`]): a column of
    /// text ids does; a snapshot says how the plan it copies was given its ids.
    pub(crate) fn set_text_given(&mut self, text_given: bool) {
        self.text_given = text_given;
    }

    pub(crate) fn len(&self) -> usize {
        if self.text_mode {
            self.arena.get().map_or(0, |a| a.ends.len())
        } else {
            self.ints.len()
        }
    }

    /// The text of id `i`.
    pub(crate) fn get(&self, i: u32) -> &str {
        self.arena.get_or_init(|| Arena::from_ints(&self.ints)).get(i)
    }

    /// Every id as an integer, in index order, when all are and none was given as text.
    pub(crate) fn integers(&self) -> Option<&[i64]> {
        self.all_integers().then_some(self.ints.as_slice())
    }

    /// Every id's text, in index order, in Apache Arrow's layout: the arena itself, borrowed,
    /// and its offsets.
    pub(crate) fn utf8(&self) -> Utf8Ids<'_> {
        let arena = self.arena.get_or_init(|| Arena::from_ints(&self.ints));
        let offsets = std::iter::once(0).chain(arena.ends.iter().map(|&e| i64::from(e))).collect();
        Utf8Ids::laid_out(offsets, std::borrow::Cow::Borrowed(arena.text.as_str()))
    }

    /// The text of ids `indices` (an empty row for `ABSENT`), in Apache Arrow's layout. Each
    /// row is a cache miss or two on a large plan: two threads take half the rows each.
    pub(crate) fn utf8_of(&self, indices: &[u32]) -> Utf8Ids<'static> {
        let arena = self.arena.get_or_init(|| Arena::from_ints(&self.ints));
        // Room for rows of the average id's length, so the text rarely grows.
        let average = arena.text.len() / arena.ends.len().max(1) + 1;
        let lay_out = |rows: &[u32], mut text: String, mut offsets: Vec<i64>| {
            text.reserve(rows.len() * average);
            offsets.reserve(rows.len());
            for &i in rows {
                if i != ABSENT {
                    text.push_str(arena.get(i));
                }
                offsets.push(text.len() as i64);
            }
            (text, offsets)
        };
        let (text, offsets) = if crate::parallel::worth_splitting(indices.len()) {
            let (a, b) = indices.split_at(indices.len() / 2);
            let ((tail, tail_offsets), (mut text, mut offsets)) =
                crate::parallel::both(&|| lay_out(b, String::new(), Vec::new()), &|| {
                    lay_out(a, String::with_capacity(indices.len() * average), vec![0])
                });
            let base = text.len() as i64;
            text.push_str(&tail);
            offsets.extend(tail_offsets.iter().map(|&o| base + o));
            (text, offsets)
        } else {
            lay_out(indices, String::new(), vec![0])
        };
        Utf8Ids::laid_out(offsets, std::borrow::Cow::Owned(text))
    }

    /// Id `i` as a compact string (inline up to 24 bytes).
    pub(crate) fn compact(&self, i: u32) -> compact_str::CompactString {
        match self.ints.get(i as usize) {
            Some(&v) if !self.text_mode => compact_str::ToCompactString::to_compact_string(&v),
            _ => compact_str::CompactString::from(self.get(i)),
        }
    }

    /// Id `i` as a key, to look it up in another plan.
    pub(crate) fn key(&self, i: u32) -> Key<'_> {
        match self.ints.get(i as usize) {
            Some(&v) if !self.text_mode => Key::Int(v),
            _ => Key::Text(self.get(i)),
        }
    }

    /// Id `i`, for a message.
    pub(crate) fn name(&self, i: u32) -> IdRef<'_> {
        IdRef { ids: self, i }
    }

    pub(crate) fn find(&self, id: &str) -> Option<u32> {
        self.find_key(Key::Text(id))
    }

    pub(crate) fn find_key(&self, key: Key<'_>) -> Option<u32> {
        match key.canonical() {
            Key::Int(v) => self.find_int(v),
            Key::Text(s) => {
                let arena = self.arena.get()?;
                let hash = self.hasher.hash_one(s);
                self.by_text[half(hash)].find(arena.texts(), hash as u32, s.as_bytes())
            }
        }
    }

    #[inline]
    fn find_int(&self, v: i64) -> Option<u32> {
        if let Some(slot) = self.dense_slot(v) {
            let i = self.dense[slot];
            return (i != ABSENT).then_some(i);
        }
        let hash = self.hasher.hash_one(v);
        self.by_int.find(hash, |&(k, _)| k == v).map(|&(_, i)| i)
    }

    /// Looks up every integer in `values` into `out`, `ABSENT` for those missing. One tight loop, so that
    /// the processor overlaps the cache misses of a large plan.
    pub(crate) fn find_ints(&self, values: &[i64], out: &mut Vec<u32>) {
        let (dense, min) = (&self.dense, self.dense_min);
        out.extend(values.iter().map(|&v| {
            let slot = v.wrapping_sub(min) as u64;
            if v >= min && slot < dense.len() as u64 {
                dense[slot as usize]
            } else {
                self.find_int(v).unwrap_or(ABSENT)
            }
        }));
    }

    /// Adds every integer in `values`, in order; `Err(row)` names the first one already present.
    pub(crate) fn insert_ints(&mut self, values: &[i64]) -> Result<(), usize> {
        let in_range = |v: &i64| self.dense_slot(*v).is_some();
        if self.text_mode || !values.iter().all(in_range) {
            for (row, &v) in values.iter().enumerate() {
                self.insert(Key::Int(v)).map_err(|_| row)?;
            }
            return Ok(());
        }
        let filled = self.dense_filled();
        self.fill_dense(values, self.ints.len());
        if self.dense_filled() - filled != values.len() {
            return Err(first_repeat(&self.ints, values).unwrap_or(0));
        }
        self.ints.extend_from_slice(values);
        self.arena.take();
        Ok(())
    }

    /// [`Ids::insert_ints`] of `first`, then of `second`, into an empty index, taking the ids'
    /// list from `both` (the two columns one after the other, perhaps made by another thread:
    /// see [`crate::parallel::Handoff`]) instead of copying them into it, where the two columns
    /// lie in the declared dense range. `Err(row)` counts rows through `first`, then `second`.
    pub(crate) fn insert_int_columns(
        &mut self,
        first: &[i64],
        second: &[i64],
        both: impl FnOnce() -> Vec<i64>,
    ) -> Result<(), usize> {
        let in_range = |v: &i64| self.dense_slot(*v).is_some();
        if self.text_mode || !self.ints.is_empty() || !first.iter().chain(second).all(in_range) {
            self.insert_ints(first)?;
            return self.insert_ints(second).map_err(|row| first.len() + row);
        }
        // One loop per column: a loop over the chained columns tests which column at every row.
        // The index is empty (no id yet, none in text), so its table was empty too.
        self.fill_dense(first, 0);
        self.fill_dense(second, first.len());
        if self.dense_filled() != first.len() + second.len() {
            let in_second = || first.len() + first_repeat(first, second).unwrap_or(0);
            return Err(first_repeat(&[], first).unwrap_or_else(in_second));
        }
        let ints = both();
        // A list of another length is not the columns' (it cannot happen): make it here.
        self.ints = if ints.len() == first.len() + second.len() { ints } else { Ids::list(first, second) };
        self.arena.take();
        Ok(())
    }

    /// The list of ids [`Ids::insert_int_columns`] keeps: `first`, then `second`.
    pub(crate) fn list(first: &[i64], second: &[i64]) -> Vec<i64> {
        let mut ints = Vec::with_capacity(first.len() + second.len());
        ints.extend_from_slice(first);
        ints.extend_from_slice(second);
        ints
    }

    /// Writes the indices `first ..` of `values`, which lie in the dense range, into the dense
    /// table, a repeated value's last index over its first. The caller tells a repeat by
    /// [`Ids::dense_filled`]: `values` filled as many new slots as it has values, or it repeats
    /// one (of its own or already there).
    ///
    /// Writes only, in one tight loop: on a large plan each write is a cache miss, and writes
    /// leave the processor's pipeline at once and wait for their cache lines together, where a
    /// loop that first read each slot (to see it empty) held up every later row until that read
    /// came back. 4M shuffled ids into a 16 MB table: 26-36 ms with the read, 11-13 ms without
    /// it, the count of [`Ids::dense_filled`] included (a probe; at 400,000 ids 0.7 and 0.4 ms).
    fn fill_dense(&mut self, values: &[i64], first: usize) {
        let (dense, min) = (&mut self.dense, self.dense_min);
        for (k, &v) in values.iter().enumerate() {
            dense[v.wrapping_sub(min) as usize] = (first + k) as u32;
        }
    }

    /// How many slots of the dense table hold an index: a scan in order, which the compiler
    /// vectorises (0.6-0.7 ms over a 16 MB table of 4M ids in cache, in a probe).
    fn dense_filled(&self) -> usize {
        self.dense.iter().filter(|&&slot| slot != ABSENT).count()
    }

    /// Whether every value is text for [`Ids::insert_texts`]: not empty, not a canonical
    /// integer (which is indexed by value).
    pub(crate) fn plain_texts(values: &(impl TextRows + ?Sized)) -> bool {
        (0..values.rows()).map(|i| values.row(i)).all(|s| {
            !s.is_empty() && (!starts_like_a_number(s) || matches!(Key::Text(s).canonical(), Key::Text(_)))
        })
    }

    /// Adds every text id in `values`, in order, none of them empty or a canonical integer
    /// (the caller checks; see [`Key::canonical`]); `Err(row)` names the first one already
    /// present (`usize::MAX`: a worker thread failed). The text goes into the arena first;
    /// then each half of the index is filled with the ids whose hash falls in it (by two
    /// threads from 65,536 ids), in input order, so the result is the one-by-one insertion's.
    pub(crate) fn insert_texts(&mut self, values: &(impl TextRows + ?Sized)) -> Result<(), usize> {
        let n = values.rows();
        if n == 0 {
            return Ok(());
        }
        let first = values.row(0);
        // The first text id switches to text mode and sizes the index.
        let first_index = self.insert(Key::Text(first)).map_err(|_| 0usize)? as usize;
        let Ids { arena, by_text, hasher, .. } = self;
        let Some(arena) = arena.get_mut() else { return Err(usize::MAX) }; // text mode has one
        for i in 1..n {
            arena.push_str(values.row(i));
        }
        let arena = &*arena;
        let texts = arena.texts();
        let [low, high] = by_text;
        let fill = |table: &mut TextIndex, which: usize| -> Option<usize> {
            for row in 1..n {
                let v = values.row(row);
                let hash = hasher.hash_one(v);
                if half(hash) != which {
                    continue;
                }
                let index = (first_index + row) as u32;
                if table.insert(texts, hash as u32, v.as_bytes(), index).is_err() {
                    return Some(row);
                }
            }
            None
        };
        // A failed thread (it cannot panic, but `join` says so if it did) is `usize::MAX`.
        let two = crate::parallel::worth_splitting(n);
        let (a, b) =
            crate::parallel::join_when(two, || fill(high, 1), || fill(low, 0)).map_err(|_| usize::MAX)?;
        match (a, b) {
            (None, None) => Ok(()),
            (x, y) => Err(x.into_iter().chain(y).min().unwrap_or(0)),
        }
    }

    /// Looks up every text in `keys` into `out` (`ABSENT` for those missing), a batch at a
    /// time so that the cache misses of a large plan overlap (see [`TextIndex::find_batch`]).
    pub(crate) fn find_texts<'k>(&self, keys: impl ExactSizeIterator<Item = &'k str>, out: &mut Vec<u32>) {
        let texts = self.arena.get().map_or(Texts { text: &[], ends: &[] }, Arena::texts);
        let mut keys = keys.peekable();
        let mut batch: [Vec<(u32, &[u8])>; 2] = [Vec::with_capacity(BATCH), Vec::with_capacity(BATCH)];
        let mut place: [Vec<usize>; 2] = [Vec::with_capacity(BATCH), Vec::with_capacity(BATCH)];
        let mut found = [0u32; BATCH];
        out.reserve(keys.len());
        while keys.peek().is_some() {
            let base = out.len();
            for (j, s) in keys.by_ref().take(BATCH).enumerate() {
                if starts_like_a_number(s) {
                    // Perhaps a canonical integer, indexed by value: the one-by-one path.
                    out.push(self.find_key(Key::Text(s)).unwrap_or(ABSENT));
                    continue;
                }
                out.push(ABSENT);
                let hash = self.hasher.hash_one(s);
                batch[half(hash)].push((hash as u32, s.as_bytes()));
                place[half(hash)].push(base + j);
            }
            for (which, table) in self.by_text.iter().enumerate() {
                if batch[which].is_empty() {
                    continue;
                }
                table.find_batch(texts, &batch[which], &mut found);
                for (&at, &i) in place[which].iter().zip(&found) {
                    out[at] = i;
                }
                batch[which].clear();
                place[which].clear();
            }
        }
    }

    /// Adds `key`; `Err(existing index)` when it is already present.
    pub(crate) fn insert(&mut self, key: Key<'_>) -> Result<u32, u32> {
        let next = u32::try_from(self.len()).unwrap_or(u32::MAX);
        let key = key.canonical();
        if let Key::Int(v) = key {
            if let Some(i) = self.find_int(v) {
                return Err(i);
            }
            match self.dense_slot(v) {
                Some(slot) => self.dense[slot] = next,
                None => {
                    let hasher = &self.hasher;
                    self.by_int.insert_unique(hasher.hash_one(v), (v, next), |&(k, _)| hasher.hash_one(k));
                }
            }
            if self.text_mode {
                if let Some(a) = self.arena.get_mut() {
                    a.push_int(v);
                }
            } else {
                self.ints.push(v);
                self.arena.take();
            }
            return Ok(next);
        }
        let Key::Text(s) = key else { return Err(ABSENT) };
        if !self.text_mode {
            // The first text id: every id becomes text from now on.
            let mut arena = self.arena.take().unwrap_or_else(|| Arena::from_ints(&self.ints));
            arena.ends.reserve(self.expected.saturating_sub(arena.ends.len()));
            // Each half holds about half the ids; a little slack keeps an uneven split from
            // growing one.
            let each = self.expected / 2 + self.expected / 64 + 16;
            self.by_text = [TextIndex::with_capacity(each), TextIndex::with_capacity(each)];
            self.arena = OnceLock::from(arena);
            self.ints = Vec::new();
            self.text_mode = true;
        }
        let (hasher, arena) = (&self.hasher, self.arena.get_mut());
        let Some(arena) = arena else { return Err(ABSENT) };
        let hash = hasher.hash_one(s);
        self.by_text[half(hash)].insert(arena.texts(), hash as u32, s.as_bytes(), next)?;
        arena.push_str(s);
        Ok(next)
    }

    /// Approximate heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.ints.capacity() * 8
            + self.arena.get().map_or(0, |a| a.text.capacity() + a.ends.capacity() * 4)
            + self.by_text.iter().map(TextIndex::heap_bytes).sum::<usize>()
            + self.by_int.capacity() * 17
            + self.dense.capacity() * 4
    }
}

/// Appends the decimal form of `v` without a temporary allocation.
fn push_int(out: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_finds() {
        let mut ids = Ids::with_capacity(2);
        assert_eq!(ids.insert(Key::Text("a")), Ok(0));
        assert_eq!(ids.insert(Key::Text("bb")), Ok(1));
        assert_eq!(ids.insert(Key::Text("a")), Err(0));
        assert_eq!(ids.insert(Key::Text("")), Ok(2));
        assert_eq!((ids.get(0), ids.get(1), ids.get(2)), ("a", "bb", ""));
        assert_eq!(ids.find("bb"), Some(1));
        assert_eq!(ids.find("c"), None);
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn integers_and_their_text_are_one_id() {
        let mut ids = Ids::with_capacity(4);
        assert_eq!(ids.insert(Key::Int(42)), Ok(0));
        assert_eq!(ids.insert(Key::Text("42")), Err(0));
        assert_eq!(ids.insert(Key::Int(-7)), Ok(1));
        assert_eq!(ids.insert(Key::Int(i64::MIN)), Ok(2));
        assert_eq!((ids.get(0), ids.get(1), ids.get(2)), ("42", "-7", "-9223372036854775808"));
        assert_eq!(ids.find("-7"), Some(1));
        // Non-canonical spellings are different text ids.
        assert_eq!(ids.insert(Key::Text("042")), Ok(3));
        assert_eq!(ids.find_key(Key::Int(42)), Some(0));
        assert_eq!(ids.find("+42"), None);
        assert_eq!(ids.insert(Key::Text("-0")), Ok(4));
        assert_eq!(ids.insert(Key::Int(0)), Ok(5));
    }

    #[test]
    fn dense_range_and_outliers_agree() {
        let mut ids = Ids::with_capacity(4);
        ids.reserve_dense(100, 103, 4);
        assert_eq!(ids.insert(Key::Int(101)), Ok(0));
        assert_eq!(ids.insert(Key::Int(5_000_000)), Ok(1));
        assert_eq!(ids.insert(Key::Text("101")), Err(0));
        assert_eq!(ids.find("5000000"), Some(1));
        assert_eq!(ids.find_key(Key::Int(102)), None);
        assert_eq!(ids.find_key(Key::Int(i64::MIN)), None);
        assert_eq!(ids.get(0), "101");
    }

    #[test]
    fn two_integer_columns_intern_as_one_after_the_other() {
        let (first, second) = ([13, 10, 12], [11, 14, 17, 15]);
        let dense = |ids: &mut Ids| ids.reserve_dense(10, 17, 7);
        let mut one_by_one = Ids::with_capacity(7);
        dense(&mut one_by_one);
        one_by_one.insert_ints(&first).unwrap();
        one_by_one.insert_ints(&second).unwrap();
        // The list handed over is the one kept; a list of the wrong length is not.
        for list in [vec![13, 10, 12, 11, 14, 17, 15], vec![1, 2]] {
            let mut both = Ids::with_capacity(7);
            dense(&mut both);
            assert_eq!(both.insert_int_columns(&first, &second, || list.clone()), Ok(()));
            assert_eq!(both.integers(), one_by_one.integers());
            for v in 9..19 {
                assert_eq!(both.find_key(Key::Int(v)), one_by_one.find_key(Key::Int(v)), "{v}");
            }
        }
        // A repeated id is named by its row, counted through both columns, and no list is
        // asked for.
        for (a, b, row) in [
            (&[13, 10, 13][..], &[11][..], 2),
            (&[13, 10, 12][..], &[11, 10, 11][..], 4),
            (&[13][..], &[11, 14, 11, 13][..], 3),
        ] {
            let mut ids = Ids::with_capacity(7);
            dense(&mut ids);
            assert_eq!(ids.insert_int_columns(a, b, || unreachable!("no list on a repeat")), Err(row));
        }
        // Outside the dense range (or with none), ids are interned one by one, and no list is
        // asked for either.
        for reserve in [true, false] {
            let mut ids = Ids::with_capacity(4);
            if reserve {
                dense(&mut ids);
            }
            let ok = ids.insert_int_columns(&[10, 99], &[11, 12], || unreachable!("the list is written"));
            assert_eq!(ok, Ok(()));
            assert_eq!(ids.integers(), Some(&[10, 99, 11, 12][..]));
            let mut ids = Ids::with_capacity(4);
            let repeat = ids.insert_int_columns(&[10, 99], &[11, 99], || unreachable!("a repeat"));
            assert_eq!(repeat, Err(3));
        }
    }

    #[test]
    fn a_column_repeating_an_id_of_its_own_or_one_already_in_is_named_by_its_row() {
        // Ids put in one at a time first, then a column: the row of its first repeat, or none.
        for (one_by_one, column, repeat) in [
            (&[][..], &[13, 10, 13][..], Some(2)),
            (&[][..], &[13, 10, 12, 11][..], None),
            (&[12][..], &[13, 12, 14][..], Some(1)),
            (&[12, 5_000_000][..], &[11, 14, 17][..], None),
            (&[12, 16][..], &[11, 14, 11, 16][..], Some(2)),
            (&[17][..], &[10, 11, 17][..], Some(2)),
        ] {
            let mut ids = Ids::with_capacity(8);
            ids.reserve_dense(10, 17, 8);
            for &v in one_by_one {
                ids.insert(Key::Int(v)).unwrap();
            }
            assert_eq!(ids.insert_ints(column).err(), repeat, "{one_by_one:?} then {column:?}");
            if repeat.is_none() {
                let all: Vec<i64> = one_by_one.iter().chain(column).copied().collect();
                assert_eq!(ids.integers(), Some(&all[..]));
                for (i, &v) in all.iter().enumerate() {
                    assert_eq!(ids.find_key(Key::Int(v)), Some(i as u32), "{v}");
                }
            }
        }
    }

    #[test]
    fn texts_in_bulk_index_like_one_by_one() {
        let texts = |n: usize| -> Vec<String> { (0..n).map(|i| format!("id-{i}")).collect() };
        let mut bulk = Ids::with_capacity(3000);
        let mut single = Ids::with_capacity(3000);
        // Integer ids first, then text ids: the switch to text keeps the integers findable.
        assert_eq!(bulk.insert_ints(&[5, 6]), Ok(()));
        single.insert(Key::Int(5)).unwrap();
        single.insert(Key::Int(6)).unwrap();
        assert_eq!(bulk.insert_texts(texts(2000).as_slice()), Ok(()));
        assert_eq!(bulk.insert_texts(&["x".to_owned(), "y".to_owned()][..]), Ok(()));
        for t in texts(2000).iter().chain(&["x".to_owned(), "y".to_owned()]) {
            single.insert(Key::Text(t)).unwrap();
        }
        assert_eq!(bulk.len(), single.len());
        for i in 0..bulk.len() as u32 {
            assert_eq!(bulk.get(i), single.get(i));
            assert_eq!(bulk.find(bulk.get(i)), Some(i));
        }
        assert_eq!(bulk.find_key(Key::Int(6)), Some(1));
        assert_eq!(bulk.find("id-2000"), None);
        // The first repeat in input order is named, whichever half of the index it falls in.
        let mut repeated = texts(50);
        repeated.extend(["id-40", "id-7", "id-3"].map(String::from));
        let mut ids = Ids::with_capacity(60);
        assert_eq!(ids.insert_texts(repeated.as_slice()), Err(50));
        let mut ids = Ids::with_capacity(60);
        assert_eq!(ids.insert_texts(texts(10).as_slice()), Ok(()));
        assert_eq!(ids.insert_texts(&["new".to_owned(), "id-9".to_owned()][..]), Err(1));
        assert_eq!(ids.insert_texts(&["id-0".to_owned()][..]), Err(0));
        // What the bulk path leaves to the one-by-one one: empty text and canonical integers.
        assert!(Ids::plain_texts(texts(5).as_slice()));
        for odd in ["", "42", "-7", "0"] {
            assert!(!Ids::plain_texts(&[odd.to_owned()][..]), "{odd}");
        }
        for plain in ["042", "+42", "-0", "4a", "-", "9223372036854775808"] {
            assert!(Ids::plain_texts(&[plain.to_owned()][..]), "{plain}");
        }
    }

    #[test]
    fn texts_in_batches_find_like_one_by_one() {
        let mut ids = Ids::with_capacity(100);
        let held: Vec<String> = (0..60).map(|i| format!("id-{i}")).collect();
        assert_eq!(ids.insert_ints(&[7, -3]), Ok(()));
        assert_eq!(ids.insert_texts(held.as_slice()), Ok(()));
        assert_eq!(ids.insert(Key::Text("")), Ok(62));
        assert_eq!(ids.insert(Key::Text("042")), Ok(63));
        // Held and unknown text, canonical integers, their non-canonical spellings, the empty
        // id, prefixes and extensions: over several batches, in the input's order.
        let mut keys: Vec<String> = held.iter().rev().cloned().collect();
        keys.extend(["7", "-3", "42", "042", "+7", "", "id-", "id-599", "id-5", "ID-5"].map(String::from));
        keys.extend((0..40).map(|i| format!("id-{}", i * 3)));
        let mut found = vec![99];
        ids.find_texts(keys.iter().map(String::as_str), &mut found);
        assert_eq!(found.len(), keys.len() + 1);
        assert_eq!(found[0], 99, "appends");
        for (k, &i) in keys.iter().zip(&found[1..]) {
            assert_eq!(ids.find(k).unwrap_or(ABSENT), i, "{k}");
        }
        assert_eq!(&found[61..71], &[0, 1, ABSENT, 63, ABSENT, 62, ABSENT, ABSENT, 7, ABSENT]);
        // Before any text id, only integers are found.
        let ints = Ids::with_capacity(2);
        let mut none = Vec::new();
        ints.find_texts(["a", "1"].into_iter(), &mut none);
        assert_eq!(none, [ABSENT, ABSENT]);
    }
}
