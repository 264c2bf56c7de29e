//! Id interning: all ids of a plan in one string arena, with a hash index into it. A million
//! objectives cost one allocation instead of a million.

use std::hash::BuildHasher;

use hashbrown::hash_table::{Entry, HashTable};
use hashbrown::DefaultHashBuilder;

#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    text: String,
    ends: Vec<usize>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

fn slice<'a>(text: &'a str, ends: &[usize], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

impl Ids {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Ids {
            text: String::with_capacity(n * 12),
            ends: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
            hasher: DefaultHashBuilder::default(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: u32) -> &str {
        slice(&self.text, &self.ends, i)
    }

    pub(crate) fn find(&self, id: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        self.index.find(hash, |&i| slice(&self.text, &self.ends, i) == id).copied()
    }

    /// Adds `id`; `Err(existing index)` when it is already present.
    pub(crate) fn insert(&mut self, id: &str) -> Result<u32, u32> {
        let hash = self.hasher.hash_one(id);
        let (text, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        match self.index.entry(
            hash,
            |&i| slice(text, ends, i) == id,
            |&i| hasher.hash_one(slice(text, ends, i)),
        ) {
            Entry::Occupied(e) => Err(*e.get()),
            Entry::Vacant(v) => {
                let i = u32::try_from(self.ends.len()).unwrap_or(u32::MAX);
                v.insert(i);
                self.text.push_str(id);
                self.ends.push(self.text.len());
                Ok(i)
            }
        }
    }

    /// Approximate heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 8 + self.index.capacity() * 5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_finds() {
        let mut ids = Ids::with_capacity(2);
        assert_eq!(ids.insert("a"), Ok(0));
        assert_eq!(ids.insert("bb"), Ok(1));
        assert_eq!(ids.insert("a"), Err(0));
        assert_eq!(ids.insert(""), Ok(2));
        assert_eq!((ids.get(0), ids.get(1), ids.get(2)), ("a", "bb", ""));
        assert_eq!(ids.find("bb"), Some(1));
        assert_eq!(ids.find("c"), None);
        assert_eq!(ids.len(), 3);
    }
}
