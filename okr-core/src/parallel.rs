//! Two-way fork-join for the steps of building a large plan that split cleanly. Where threads do
//! not exist (WebAssembly) or cannot be started, both halves run here, one after the other.

use std::sync::Mutex;

use crate::error::{Error, Result};

/// Runs `a` on a second thread while `b` runs on this one, and returns both results.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> Result<(RA, RB)>
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB,
    RA: Send,
{
    // The closure is handed over through a slot, so that it can still run here if the thread
    // cannot be started.
    let slot = Mutex::new(Some(a));
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new().spawn_scoped(s, || {
            let a = slot.lock().ok().and_then(|mut x| x.take());
            a.map(|a| a())
        });
        let rb = b();
        let ra = match spawned {
            Ok(handle) => handle.join().map_err(|_| internal())?,
            Err(_) => None,
        };
        let ra = match ra {
            Some(ra) => ra,
            None => {
                let a = slot.lock().map_err(|_| internal())?.take().ok_or_else(internal)?;
                a()
            }
        };
        Ok((ra, rb))
    })
}

fn internal() -> Error {
    Error::Malformed { message: "internal: a worker thread failed".into() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_both_results() {
        let data: Vec<u64> = (0..1000).collect();
        let (a, b) =
            super::join(|| data[..500].iter().sum::<u64>(), || data[500..].iter().sum::<u64>()).unwrap();
        assert_eq!(a + b, 999 * 1000 / 2);
    }
}
