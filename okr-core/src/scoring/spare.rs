//! Columns a scoring pass writes into: kept from a dropped report, or mapped by the build.

use super::Flags;

/// The columns every scoring pass writes for every node, whatever their earlier content.
#[derive(Debug)]
pub(crate) struct Spare {
    pub(super) scores: Vec<f64>,
    pub(super) flags: Vec<Flags>,
    pub(super) signals: Vec<u8>,
}

impl Spare {
    /// Columns for `n` nodes with every page written (mapped), for a plan's first score to fill
    /// as a later score fills a dropped report's: a large plan's build makes them on the thread
    /// its layout leaves idle (see [`crate::build::RowArrays::after`]).
    pub(crate) fn mapped(n: usize) -> Self {
        Spare {
            scores: mapped_column(n, 0.0),
            flags: mapped_column(n, Flags(0)),
            signals: mapped_column(n, 0),
        }
    }

    /// The columns' length (they have one length).
    #[cfg(test)]
    pub(crate) fn mapped_len(&self) -> usize {
        self.scores.len()
    }

    /// Bytes in use: a score column's length, not its capacity, whose tail past the length
    /// ([`zeroed_column`]) is never touched.
    fn bytes(&self) -> usize {
        self.scores.len() * 8 + self.flags.capacity() + self.signals.capacity()
    }
}

/// The columns of a plan's last dropped report, kept for its next score (one set at most: 10
/// bytes a node), or those a large plan's build made for its first score. A clone of the
/// plan's data starts with none.
#[derive(Debug, Default)]
pub(crate) struct SpareColumns(std::sync::Mutex<Option<Spare>>);

impl Clone for SpareColumns {
    fn clone(&self) -> Self {
        SpareColumns::default()
    }
}

impl SpareColumns {
    /// Holding `columns` from the start.
    pub(crate) fn holding(columns: Spare) -> Self {
        SpareColumns(std::sync::Mutex::new(Some(columns)))
    }

    /// Keeps `columns` unless a set is kept already (or the lock was poisoned).
    pub(super) fn keep(&self, columns: Spare) {
        if let Ok(mut slot) = self.0.lock() {
            if slot.is_none() && !columns.scores.is_empty() {
                *slot = Some(columns);
            }
        }
    }

    /// The kept columns, if they are `n` long.
    pub(super) fn take(&self, n: usize) -> Option<Spare> {
        let spare = self.0.lock().ok()?.take()?;
        let fits = [spare.scores.len(), spare.flags.len(), spare.signals.len()] == [n; 3];
        fits.then_some(spare)
    }

    /// Heap bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.0.lock().ok().and_then(|slot| slot.as_ref().map(Spare::bytes)).unwrap_or(0)
    }
}

/// The size from which glibc always maps an allocation afresh. Its threshold for fresh mappings
/// starts at 128 KiB and rises, up to this, as large blocks are freed; below the threshold, a
/// zeroed block may be carved from memory glibc keeps, which `calloc` then clears itself.
const FRESH_MAPPING_BYTES: usize = 32 << 20;

/// `n` zeros for a pass's threads to overwrite, from memory that needs no clearing when the
/// column is large.
///
/// A column of 16 to 32 MiB (2 to 4 million nodes) may otherwise be cleared by `calloc` on the
/// calling thread, page by page, before the pass starts its second thread: 16-18 ms of a
/// 1M-objective plan's first score through Python (after a numpy script had freed large
/// arrays), against 0.3 ms for a fresh mapping, whose pages are zero already and are mapped by
/// whichever thread first writes them. Such a column is asked for at the size that is always
/// mapped afresh; the tail past `n` is never touched, so it takes address space but no memory.
/// Freeing it unmaps it: about 2 ms at 4M nodes, where a block from the heap was only handed
/// back. Other allocators (WebAssembly's, macOS's, musl's) get the column's own size.
pub(super) fn zeroed_column(n: usize) -> Vec<f64> {
    let floor = FRESH_MAPPING_BYTES / 8;
    if !cfg!(all(target_os = "linux", target_env = "gnu")) || n < floor / 2 || n >= floor {
        return vec![0.0; n];
    }
    let mut v = vec![0.0; floor];
    v.truncate(n);
    v
}

/// `n` copies of `value` with every page written, so that whoever fills the column next maps
/// no memory: `resize` writes every element, even a zero one, where `vec![0; n]` may leave a
/// large column's fresh pages unmapped until first use (see [`zeroed_column`], which wants
/// that).
pub(crate) fn mapped_column<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, value);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_columns_are_n_zeros_and_large_ones_ask_for_a_fresh_mapping() {
        let floor = FRESH_MAPPING_BYTES / 8;
        for n in [0, 1, 1000, floor / 2 - 1, floor / 2, floor / 2 + 1, floor - 1, floor, floor + 1] {
            let v = zeroed_column(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x.to_bits() == 0), "{n}");
            // Between half the floor and the floor, the allocation reaches the floor; elsewhere
            // it is the column's own size.
            let padded =
                cfg!(all(target_os = "linux", target_env = "gnu")) && (floor / 2..floor).contains(&n);
            assert_eq!(v.capacity() >= floor, padded || n >= floor, "{n}");
        }
    }
}
