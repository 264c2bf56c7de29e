//! Two-way fork-join for the passes over a large plan that split cleanly (building, scoring,
//! report columns, events, lint). Where threads do not exist (WebAssembly) or cannot be started,
//! or when the environment variable `OKR_MAX_THREADS` is `1`, both halves run on the calling
//! thread, one after the other.

use std::sync::Mutex;

use crate::error::{Error, Result};

/// Passes over at least this many nodes (scoring, report columns, events, lint) split their
/// work between two threads; below it, starting a thread costs more than it saves.
pub(crate) const PARALLEL_FROM: usize = 1 << 16;

/// The environment variable that keeps every pass on the calling thread when set to `1` (for
/// hosts that run their own pool of threads, such as a Spark executor or a web server).
pub(crate) const MAX_THREADS_VAR: &str = "OKR_MAX_THREADS";

/// Whether a second thread may be started: `OKR_MAX_THREADS` is not `1`, and the target has
/// threads (WebAssembly without shared memory has none, so its passes take their one-thread
/// form rather than running both halves of the two-thread form one after the other).
pub(crate) fn threads_allowed() -> bool {
    if cfg!(all(target_family = "wasm", not(target_feature = "atomics"))) {
        return false;
    }
    std::env::var_os(MAX_THREADS_VAR).is_none_or(|v| v.to_str().map(str::trim) != Some("1"))
}

/// Whether a pass over `n` nodes splits between two threads.
pub(crate) fn worth_splitting(n: usize) -> bool {
    n >= PARALLEL_FROM && threads_allowed()
}

/// Runs `a` on a second thread while `b` runs on this one, and returns both results.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> Result<(RA, RB)>
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB,
    RA: Send,
{
    join_told(|_| a(), |_| b())
}

/// [`join`], telling each closure whether the other runs beside it (`false` when both run
/// here, one after the other: where threads are not allowed, or the thread could not start).
pub(crate) fn join_told<A, B, RA, RB>(a: A, b: B) -> Result<(RA, RB)>
where
    A: FnOnce(bool) -> RA + Send,
    B: FnOnce(bool) -> RB,
    RA: Send,
{
    if !threads_allowed() {
        let rb = b(false);
        return Ok((a(false), rb));
    }
    // The closure is handed over through a slot, so that it can still run here if the thread
    // cannot be started.
    let slot = Mutex::new(Some(a));
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new().spawn_scoped(s, || {
            // Once started, the thread runs `a` (`b` was told it runs beside it).
            let a = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
            a.map(|a| a(true))
        });
        let rb = b(spawned.is_ok());
        let ra = match spawned {
            Ok(handle) => handle.join().map_err(|_| internal())?,
            Err(_) => None,
        };
        let ra = match ra {
            Some(ra) => ra,
            None => {
                let a = slot.lock().map_err(|_| internal())?.take().ok_or_else(internal)?;
                a(false)
            }
        };
        Ok((ra, rb))
    })
}

/// [`join`] when `split` (as [`worth_splitting`] decides for the pass), else both halves here,
/// `b` first, as where threads are not allowed: starting a thread for a small plan costs more
/// than the half it would take.
pub(crate) fn join_when<A, B, RA, RB>(split: bool, a: A, b: B) -> Result<(RA, RB)>
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB,
    RA: Send,
{
    if !split {
        let rb = b();
        return Ok((a(), rb));
    }
    join(a, b)
}

/// [`join`] for two pure computations over shared data: `a` on a second thread, `b` here; if a
/// thread fails, both are computed again here, one after the other.
pub(crate) fn both<A, B, RA, RB>(a: &A, b: &B) -> (RA, RB)
where
    A: Fn() -> RA + Sync,
    B: Fn() -> RB,
    RA: Send,
{
    join(a, b).unwrap_or_else(|_| (a(), b()))
}

/// `f` over two disjoint parts, filled in place: `second` on a second thread when `split`,
/// `first` here; if a thread fails, both are filled again here, one after the other.
pub(crate) fn both_parts<P: Send>(split: bool, first: &mut P, second: &mut P, f: impl Fn(&mut P) + Sync) {
    if !(split && join(|| f(&mut *second), || f(&mut *first)).is_ok()) {
        f(first);
        f(second);
    }
}

/// A value that a helper thread may make for the thread that needs it, made exactly once: the
/// helper [`offers`](Handoff::offer) to make it, the owner [`takes`](Handoff::take) it. When
/// the owner asks first (the helper has not started, or never runs: no second thread, or the
/// helper's closure runs after the owner's, as [`join`] does without threads), the owner makes
/// it and the helper's offer is declined; when the helper is making it, the owner waits for it.
/// Neither side can wait for the other forever: the owner waits only for a value being made,
/// and should the helper fail while making it (its closure unwinding), the job goes back to
/// the owner.
pub(crate) struct Handoff<T> {
    slot: Mutex<Slot<T>>,
    made: std::sync::Condvar,
}

enum Slot<T> {
    Open,
    Making,
    Made(T),
    /// Taken by the owner.
    Closed,
}

impl<T> Default for Handoff<T> {
    fn default() -> Self {
        Handoff { slot: Mutex::new(Slot::Open), made: std::sync::Condvar::new() }
    }
}

impl<T> Handoff<T> {
    /// The slot, whatever a panicking holder left (no code here panics while holding it).
    fn slot(&self) -> std::sync::MutexGuard<'_, Slot<T>> {
        self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The helper's side: makes the value with `make` unless the owner has taken the job.
    pub(crate) fn offer(&self, make: impl FnOnce() -> T) {
        {
            let mut slot = self.slot();
            if !matches!(*slot, Slot::Open) {
                return;
            }
            *slot = Slot::Making;
        }
        // Should `make` unwind, the guard hands the job back to the owner.
        struct Reopen<'a, T>(&'a Handoff<T>);
        impl<T> Drop for Reopen<'_, T> {
            fn drop(&mut self) {
                let mut slot = self.0.slot();
                if matches!(*slot, Slot::Making) {
                    *slot = Slot::Open;
                }
                self.0.made.notify_all();
            }
        }
        let guard = Reopen(self);
        let value = make();
        *self.slot() = Slot::Made(value);
        drop(guard);
    }

    /// The owner's side: the value the helper made (waiting while it is being made), else one
    /// made here with `make`. Later offers are declined.
    pub(crate) fn take(&self, make: impl FnOnce() -> T) -> T {
        let mut slot = self.slot();
        loop {
            match std::mem::replace(&mut *slot, Slot::Closed) {
                Slot::Made(value) => return value,
                Slot::Making => {
                    *slot = Slot::Making;
                    slot = self.made.wait(slot).unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                Slot::Open | Slot::Closed => {
                    drop(slot);
                    return make();
                }
            }
        }
    }
}

/// Two threads, each working through its own sequence of steps, of which the one that finishes
/// first takes over the end of what the other has left: the other gives it a part `P` of its
/// work between two steps, made by the giver (which knows how far it has got). It evens out the
/// two threads' times when one runs slower than the other (on this project's two-core machines
/// one core often runs at about two thirds of the other's speed for a while).
///
/// Each thread calls [`Relay::enter`] as it starts (run by [`join_told`], which says whether
/// the two run side by side), checks [`Relay::asked`] between steps and
/// [`answers`](Relay::answer) when it is set, and [`asks`](Relay::ask) once its own work is done.
/// A part is given at most once. No thread waits for one that is not running: a thread waits
/// for an answer only while the other runs beside it and has not finished its own work, and
/// that one answers at its next step, or finds the question when it finishes and closes the
/// relay; should it unwind instead, its guard closes the relay.
pub(crate) struct Relay<P> {
    track: Mutex<Track<P>>,
    changed: std::sync::Condvar,
    /// Set while a thread waits for an answer: read between steps, without the lock.
    asking: std::sync::atomic::AtomicBool,
}

struct Track<P> {
    baton: Baton<P>,
    /// How many threads take part: 2 when they run side by side, else 1 (0 until told).
    threads: u8,
    /// How many have finished their own work.
    finished: u8,
}

enum Baton<P> {
    /// No thread has asked yet.
    Open,
    /// A thread has finished its own work of `done` steps' worth and waits for an answer.
    Asked(usize),
    /// The answer: a part of the other's work.
    Given(P),
    /// No part will be given (one was, or a thread declined, or finished or failed while the
    /// other asked).
    Closed,
}

/// Closes a [`Relay`] when the thread holding it unwinds, so that the other does not wait for
/// an answer forever.
pub(crate) struct Entered<'a, P>(&'a Relay<P>);

impl<P> Drop for Entered<'_, P> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut track = self.0.track();
            if !matches!(track.baton, Baton::Given(_)) {
                track.baton = Baton::Closed;
            }
            self.0.changed.notify_all();
        }
    }
}

impl<P> Default for Relay<P> {
    fn default() -> Self {
        Relay {
            track: Mutex::new(Track { baton: Baton::Open, threads: 0, finished: 0 }),
            changed: std::sync::Condvar::new(),
            asking: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl<P> Relay<P> {
    /// The state, whatever a panicking holder left (no code here panics while holding it, and
    /// `answer`'s `give` only splits slices).
    fn track(&self) -> std::sync::MutexGuard<'_, Track<P>> {
        self.track.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A thread starts its own work, `beside` another (as [`join_told`] says) or alone; keep
    /// the guard until the thread is done.
    pub(crate) fn enter(&self, beside: bool) -> Entered<'_, P> {
        let mut track = self.track();
        if track.threads == 0 {
            track.threads = 1 + u8::from(beside);
        }
        Entered(self)
    }

    /// Whether a thread of the relay may still answer: one runs beside the asker and has not
    /// finished its own work.
    fn answerable(track: &Track<P>) -> bool {
        track.finished < track.threads
    }

    /// Whether the other thread is waiting for an answer (a hint, read without the lock).
    pub(crate) fn asked(&self) -> bool {
        self.asking.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Answers the other thread's question, if it asked: `give` is told how much work the other
    /// has done and makes the part to give, or `None` to decline. Whether a part was given.
    pub(crate) fn answer(&self, give: impl FnOnce(usize) -> Option<P>) -> bool {
        let mut track = self.track();
        let Baton::Asked(done) = track.baton else { return false };
        let part = give(done);
        let given = part.is_some();
        track.baton = part.map_or(Baton::Closed, Baton::Given);
        self.changed.notify_all();
        given
    }

    /// Done with its own work (`done` worth of it), a thread asks for a part of the other's:
    /// it waits for the answer while the other runs its own work, and gets `None` when the
    /// other has finished too, or declines, or fails, or a part was given already.
    pub(crate) fn ask(&self, done: usize) -> Option<P> {
        let mut track = self.track();
        track.finished = track.finished.saturating_add(1);
        match track.baton {
            Baton::Open if Self::answerable(&track) => {
                track.baton = Baton::Asked(done);
                self.changed.notify_all();
            }
            Baton::Open | Baton::Asked(_) => {
                // Nobody left to answer, or the other asked first and this one has nothing left.
                track.baton = Baton::Closed;
                self.changed.notify_all();
                return None;
            }
            Baton::Given(_) | Baton::Closed => return None,
        }
        self.asking.store(true, std::sync::atomic::Ordering::Relaxed);
        while matches!(track.baton, Baton::Asked(_)) {
            track = self.changed.wait(track).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        self.asking.store(false, std::sync::atomic::Ordering::Relaxed);
        match std::mem::replace(&mut track.baton, Baton::Closed) {
            Baton::Given(part) => Some(part),
            _ => None,
        }
    }

    /// Waits until the other thread asks or can no longer (for tests: to give a part at a chosen
    /// step).
    pub(crate) fn await_question(&self) {
        let mut track = self.track();
        while matches!(track.baton, Baton::Open) && track.threads > 1 && track.finished == 0 {
            track = self.changed.wait(track).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
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
        let (a, b) = super::both(&|| data[..10].to_vec(), &|| data[10..].len());
        assert_eq!((a.len(), b), (10, 990));
    }

    #[test]
    fn both_parts_fills_each_part_split_or_not() {
        for split in [true, false] {
            let mut out = vec![0u64; 1000];
            let (a, b) = out.split_at_mut(400);
            super::both_parts(split, &mut (a, 0), &mut (b, 400), |(part, from)| {
                part.iter_mut().enumerate().for_each(|(i, x)| *x = (*from + i) as u64 * 3);
            });
            assert!(out.iter().enumerate().all(|(i, &x)| x == i as u64 * 3), "split {split}");
        }
    }

    #[test]
    fn a_handoff_gives_the_helpers_value_or_one_made_by_the_owner() {
        use super::Handoff;
        use std::sync::mpsc::channel;
        // The helper first: the owner takes its value and makes none.
        let h = Handoff::default();
        h.offer(|| 1);
        assert_eq!(h.take(|| 2), 1);
        // The owner first: it makes the value, and the helper's offer is declined unmade.
        let h = Handoff::default();
        assert_eq!(h.take(|| 2), 2);
        h.offer(|| unreachable!("declined"));
        // The owner asks while the helper makes it: the owner waits for the helper's value.
        let h = Handoff::default();
        let (started, on_the_way) = channel();
        let (go, wait) = channel::<()>();
        std::thread::scope(|s| {
            let helper = &h;
            s.spawn(move || {
                helper.offer(|| {
                    started.send(()).unwrap();
                    wait.recv().unwrap();
                    4
                })
            });
            on_the_way.recv().unwrap();
            s.spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                go.send(()).unwrap();
            });
            assert_eq!(h.take(|| 5), 4);
        });
    }

    #[test]
    fn a_helper_that_fails_hands_the_job_back_to_a_waiting_owner() {
        use super::Handoff;
        use std::sync::mpsc::channel;
        let h: Handoff<i32> = Handoff::default();
        let (started, on_the_way) = channel();
        let (go, wait) = channel::<()>();
        std::thread::scope(|s| {
            let shared = &h;
            let helper = s.spawn(move || {
                shared.offer(|| {
                    started.send(()).unwrap();
                    wait.recv().unwrap();
                    panic!("the helper fails while making the value")
                })
            });
            on_the_way.recv().unwrap();
            s.spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                go.send(()).unwrap();
            });
            assert_eq!(h.take(|| 6), 6);
            assert!(helper.join().is_err());
        });
        // And to an owner that asks after the failure.
        let h: Handoff<i32> = Handoff::default();
        let failed = std::thread::scope(|s| s.spawn(|| h.offer(|| panic!("fails"))).join().is_err());
        assert!(failed);
        assert_eq!(h.take(|| 7), 7);
    }

    /// `a` on a thread of its own beside `b` here (not through `join`, which another test may
    /// briefly keep on one thread).
    fn side_by_side<RA: Send, RB>(
        a: impl FnOnce() -> RA + Send,
        b: impl FnOnce() -> RB,
    ) -> (std::thread::Result<RA>, RB) {
        std::thread::scope(|s| {
            let a = s.spawn(a);
            let rb = b();
            (a.join(), rb)
        })
    }

    #[test]
    fn a_relay_hands_the_end_of_one_threads_work_to_the_thread_done_first() {
        use super::Relay;
        // The other thread waits for the question, then gives a part made from the asker's count.
        let relay: Relay<usize> = Relay::default();
        let (given, got) = side_by_side(
            || {
                let _in = relay.enter(true);
                relay.await_question();
                assert!(relay.asked());
                let gave = relay.answer(|done| Some(done * 10));
                (gave, relay.ask(1))
            },
            || {
                let _in = relay.enter(true);
                relay.ask(7)
            },
        );
        assert_eq!((given.unwrap(), got), ((true, None), Some(70)), "one part, once");
        // Declined: the asker gets nothing and stops waiting.
        let relay: Relay<usize> = Relay::default();
        let (gave, got) = side_by_side(
            || {
                let _in = relay.enter(true);
                relay.await_question();
                relay.answer(|_| None)
            },
            || {
                let _in = relay.enter(true);
                relay.ask(3)
            },
        );
        assert_eq!((gave.unwrap(), got), (false, None));
        // Both finish: the second to ask closes the relay, and neither waits for ever.
        let relay: Relay<usize> = Relay::default();
        let (a, b) = side_by_side(
            || {
                let _in = relay.enter(true);
                relay.ask(1)
            },
            || {
                let _in = relay.enter(true);
                relay.ask(2)
            },
        );
        assert_eq!((a.unwrap(), b), (None, None));
        // Alone (no second thread): asking does not wait; nor does a question go unanswered.
        let relay: Relay<usize> = Relay::default();
        let _in = relay.enter(false);
        relay.await_question();
        assert_eq!(relay.ask(5), None);
        assert!(!relay.answer(|_| Some(1)));
        // Told by `join_told` whether the closures run side by side.
        let (a, b) = super::join_told(|beside| beside, |beside| beside).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_relay_whose_other_thread_fails_stops_the_asker_waiting() {
        use super::Relay;
        let relay: Relay<usize> = Relay::default();
        let (failed, got) = side_by_side(
            || {
                let _in = relay.enter(true);
                relay.await_question();
                panic!("the other thread fails before it answers")
            },
            || {
                let _in = relay.enter(true);
                relay.ask(4)
            },
        );
        assert!(failed.is_err());
        assert_eq!(got, None);
        // And a thread asking after the failure does not wait either.
        assert_eq!(relay.ask(1), None);
    }

    #[test]
    fn small_passes_stay_on_this_thread() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let here = std::thread::current().id();
        let step = AtomicUsize::new(0);
        let (a, b) = super::join_when(
            false,
            || (std::thread::current().id(), step.fetch_add(1, Ordering::SeqCst)),
            || (std::thread::current().id(), step.fetch_add(1, Ordering::SeqCst)),
        )
        .unwrap();
        // Both here, `b` first (as `join` orders them where there are no threads).
        assert_eq!((a, b), ((here, 1), (here, 0)));
    }

    #[test]
    fn one_thread_when_the_environment_says_so() {
        std::env::remove_var(super::MAX_THREADS_VAR);
        let here = std::thread::current().id();
        let (a, _) = super::join(|| std::thread::current().id(), || ()).unwrap();
        assert_ne!(a, here, "a second thread by default");
        // Other tests may run while the variable is set: they then run on one thread, which
        // gives them the same results.
        std::env::set_var(super::MAX_THREADS_VAR, "1");
        let (a, b) = super::join(|| std::thread::current().id(), || std::thread::current().id()).unwrap();
        let split = super::worth_splitting(1 << 20);
        std::env::remove_var(super::MAX_THREADS_VAR);
        assert_eq!((a, b), (here, here));
        assert!(!split && super::worth_splitting(1 << 20));
    }
}
