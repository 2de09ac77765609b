//! The work queue of both passes: units of work run on a rayon pool (or on
//! the caller's thread with one thread), their results handed to a sink on
//! the caller's thread in order, so that output and statistics are the same
//! for any number of threads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use crate::error::Error;

/// Runs work items on the pool and hands their results to a sink in order.
pub(super) struct Exec {
    pub(super) threads: usize,
    pool: Option<rayon::ThreadPool>,
}

impl Exec {
    pub(super) fn new(threads: usize) -> Result<Exec, Error> {
        let threads = threads.max(1);
        if let Some(why) = super::threads_over_limit(threads) {
            return Err(Error::Setting {
                name: "threads",
                message: format!("{threads}: {why}"),
            });
        }
        let pool = if threads == 1 {
            None
        } else {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("boilerstrip-{i}"))
                    .build()
                    .map_err(|e| Error::Setting {
                        name: "threads",
                        message: e.to_string(),
                    })?,
            )
        };
        Ok(Exec { threads, pool })
    }

    /// Calls `work(i)` for `i` in `0..n`, in parallel, and `sink(i, result)`
    /// on the calling thread in order of `i`. When `sink` returns false, no
    /// new work starts and no more results are sunk.
    #[cfg(test)]
    fn run_ordered<T: Send>(
        &self,
        n: usize,
        work: &(dyn Fn(usize) -> T + Sync),
        sink: &mut dyn FnMut(usize, T) -> bool,
    ) {
        let mut i = 0;
        self.run_stream(
            &mut || {
                i += 1;
                (i <= n).then_some(i - 1)
            },
            &|i| (i, work(i)),
            &mut |(i, r)| sink(i, r),
        );
    }

    /// Takes tasks from `source` until it returns `None`, calls `work` on
    /// each, in parallel, and `sink` on the results on the calling thread in
    /// the order of the tasks. `source` is called by one worker at a time
    /// (it reads the inputs, in order). At most `2 × threads` results wait
    /// for an earlier one, which bounds memory. When `sink` returns false,
    /// no new work starts and no more results are sunk.
    pub(super) fn run_stream<S: Send, T: Send>(
        &self,
        source: &mut (dyn FnMut() -> Option<S> + Send),
        work: &(dyn Fn(S) -> T + Sync),
        sink: &mut dyn FnMut(T) -> bool,
    ) {
        let Some(pool) = &self.pool else {
            while let Some(task) = source() {
                if !sink(work(task)) {
                    return;
                }
            }
            return;
        };
        // The source and the number of the next task; `None` once the
        // source is exhausted.
        let source = Mutex::new(Some((source, 0usize)));
        let stop = AtomicBool::new(false);
        // How many results have been sunk, for the window that bounds how
        // far workers run ahead of the sink.
        let sunk = Mutex::new(0usize);
        let advanced = Condvar::new();
        let window = 2 * self.threads;
        let (tx, rx) = mpsc::channel::<(usize, T)>();
        std::thread::scope(|s| {
            let (source, stop, sunk, advanced) = (&source, &stop, &sunk, &advanced);
            s.spawn(move || {
                pool.scope(|ps| {
                    for _ in 0..self.threads {
                        let tx = tx.clone();
                        ps.spawn(move |_| {
                            // If `work` or `source` panics, wake the others
                            // so that the panic reaches the caller instead of
                            // a hang.
                            let _guard = StopOnPanic { stop, advanced };
                            loop {
                                if stop.load(Ordering::Relaxed) {
                                    return;
                                }
                                let (i, task) = {
                                    let mut src = source.lock().unwrap_or_else(|p| p.into_inner());
                                    let Some((next, i)) = src.as_mut() else {
                                        return;
                                    };
                                    let i = *i;
                                    let mut done = sunk.lock().unwrap_or_else(|p| p.into_inner());
                                    while i >= *done + window && !stop.load(Ordering::Relaxed) {
                                        done =
                                            advanced.wait(done).unwrap_or_else(|p| p.into_inner());
                                    }
                                    drop(done);
                                    if stop.load(Ordering::Relaxed) {
                                        return;
                                    }
                                    match next() {
                                        Some(task) => {
                                            src.as_mut().expect("checked").1 += 1;
                                            (i, task)
                                        }
                                        None => {
                                            *src = None;
                                            return;
                                        }
                                    }
                                };
                                if tx.send((i, work(task))).is_err() {
                                    return;
                                }
                            }
                        });
                    }
                });
                drop(tx);
            });
            // If the sink panics, stop the workers so that the scope can
            // join them and the panic reaches the caller.
            let _guard = StopOnPanic { stop, advanced };
            let mut pending = BTreeMap::new();
            let mut expect = 0;
            let mut sinking = true;
            for (i, r) in rx {
                pending.insert(i, r);
                while let Some(r) = pending.remove(&expect) {
                    if sinking && !sink(r) {
                        sinking = false;
                        stop.store(true, Ordering::Relaxed);
                    }
                    expect += 1;
                    *sunk.lock().unwrap_or_else(|p| p.into_inner()) = expect;
                    advanced.notify_all();
                }
            }
        });
    }
}

struct StopOnPanic<'a> {
    stop: &'a AtomicBool,
    advanced: &'a Condvar,
}

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.stop.store(true, Ordering::Relaxed);
            self.advanced.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn ordered_runs_sink_in_order_for_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            let exec = Exec::new(threads).unwrap();
            let mut seen = Vec::new();
            exec.run_ordered(
                100,
                &|i| {
                    // Uneven work so that results finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros(
                        ((i * 7919) % 13) as u64 * 50,
                    ));
                    i * 2
                },
                &mut |i, r| {
                    seen.push((i, r));
                    true
                },
            );
            assert_eq!(seen, (0..100).map(|i| (i, i * 2)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn more_threads_than_the_limit_are_a_setting_error() {
        let most = super::super::max_threads();
        assert!(most >= super::super::MIN_MAX_THREADS);
        let e = Exec::new(most + 1).err().expect("over the limit");
        assert!(
            e.to_string().contains(&format!("at most {most} here")),
            "{e}"
        );
    }

    #[test]
    fn ordered_runs_stop_when_the_sink_says_so() {
        let exec = Exec::new(4).unwrap();
        let started = AtomicUsize::new(0);
        let mut seen = 0;
        exec.run_ordered(
            10_000,
            &|i| {
                started.fetch_add(1, Ordering::Relaxed);
                i
            },
            &mut |_, _| {
                seen += 1;
                seen < 5
            },
        );
        assert_eq!(seen, 5);
        // The window stops workers from running far ahead.
        assert!(started.load(Ordering::Relaxed) < 100);
    }

    #[test]
    fn a_panic_in_work_or_sink_reaches_the_caller_without_a_hang() {
        for sink_panics in [false, true] {
            let exec = Exec::new(2).unwrap();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                exec.run_ordered(
                    1000,
                    &|i| {
                        assert!(sink_panics || i != 3, "work fails");
                        i
                    },
                    &mut |i, _| {
                        assert!(!sink_panics || i != 3, "sink fails");
                        true
                    },
                )
            }));
            assert!(result.is_err());
        }
    }
}
