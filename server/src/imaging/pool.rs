//! How much image work runs at once. Decoding and OCR take a CPU for up to seconds each: at
//! most one job per CPU runs, a bounded number wait, and anyone past them is told to come
//! back (503) instead of joining a queue that would only grow.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;

/// Refused or failed image work.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("every image worker is busy and the queue is full")]
    Busy { retry_after_secs: u64 },
    /// The job panicked (a decoder bug); its permits are back.
    #[error("image job failed: {0}")]
    Failed(String),
}

/// Cheap to clone: clones share the same workers and queue.
#[derive(Clone, Debug)]
pub struct ImagePool {
    /// One per job allowed to run.
    workers: Arc<Semaphore>,
    /// One per job allowed in (running or waiting).
    admitted: Arc<Semaphore>,
    capacity: usize,
}

impl ImagePool {
    /// What a refused caller is told to wait: about one photo's decode and recognition.
    pub const RETRY_AFTER_SECS: u64 = 5;

    /// `workers` jobs at once, `waiting` more queued behind them.
    pub fn new(workers: usize, waiting: usize) -> Self {
        let workers = workers.max(1);
        Self {
            workers: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(Semaphore::new(workers + waiting)),
            capacity: workers + waiting,
        }
    }

    /// One job per CPU, twice as many waiting.
    pub fn for_this_machine() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cpus, 2 * cpus)
    }

    /// Jobs admitted now, running or waiting.
    pub fn in_use(&self) -> usize {
        self.capacity - self.admitted.available_permits()
    }

    /// Runs `job` once a worker is free, or refuses at once when the queue is full.
    ///
    /// While it waits, dropping the returned future (the client went away) gives its place
    /// up. Once started, the job runs to its end in its own task, holding its worker: the
    /// CPU it takes stays counted even if nobody waits for the answer any more.
    pub async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let admitted = Arc::clone(&self.admitted)
            .try_acquire_owned()
            .map_err(|_| PoolError::Busy {
                retry_after_secs: Self::RETRY_AFTER_SECS,
            })?;
        let worker = Arc::clone(&self.workers)
            .acquire_owned()
            .await
            .map_err(|e| PoolError::Failed(e.to_string()))?;
        tokio::spawn(async move {
            let out = job.await;
            drop((worker, admitted));
            out
        })
        .await
        .map_err(|e| PoolError::Failed(e.to_string()))
    }

    /// [`ImagePool::run`] for blocking work, on tokio's blocking threads.
    pub async fn run_blocking<T, F>(&self, work: F) -> Result<T, PoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // Spawned inside the job: `spawn_blocking` starts at once, not when awaited.
        self.run(async move { tokio::task::spawn_blocking(work).await })
            .await?
            .map_err(|e| PoolError::Failed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_runs_one_waits_the_next_is_refused() {
        let pool = ImagePool::new(1, 1);
        let gate = Arc::new(Semaphore::new(0));
        let started = Arc::new(Semaphore::new(0));
        let job = |gate: Arc<Semaphore>, started: Arc<Semaphore>| async move {
            started.add_permits(1);
            gate.acquire().await.unwrap().forget();
        };
        let first = tokio::spawn({
            let (pool, j) = (pool.clone(), job(gate.clone(), started.clone()));
            async move { pool.run(j).await }
        });
        started.acquire().await.unwrap().forget();
        let second = tokio::spawn({
            let (pool, j) = (pool.clone(), job(gate.clone(), started.clone()));
            async move { pool.run(j).await }
        });
        while pool.in_use() < 2 {
            tokio::task::yield_now().await;
        }
        let third = pool.run(async {}).await;
        assert!(matches!(
            third,
            Err(PoolError::Busy {
                retry_after_secs: ImagePool::RETRY_AFTER_SECS
            })
        ));
        // The second has not started: the one worker is taken.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(started.available_permits(), 0);

        gate.add_permits(2);
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(pool.in_use(), 0);
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_while_waiting_gives_its_place_up() {
        let pool = ImagePool::new(1, 1);
        let gate = Arc::new(Semaphore::new(0));
        let running = tokio::spawn({
            let (pool, gate) = (pool.clone(), gate.clone());
            async move {
                pool.run(async move { gate.acquire().await.unwrap().forget() })
                    .await
            }
        });
        while pool.in_use() < 1 {
            tokio::task::yield_now().await;
        }
        let waiting = pool.run(async {});
        assert!(tokio::time::timeout(Duration::from_millis(20), waiting)
            .await
            .is_err());
        assert_eq!(pool.in_use(), 1);
        gate.add_permits(1);
        running.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_panicking_job_fails_and_frees_its_worker() {
        let pool = ImagePool::new(1, 0);
        let failed = pool.run_blocking(|| panic!("decoder bug")).await;
        assert!(matches!(failed, Err(PoolError::Failed(_))));
        assert_eq!(pool.in_use(), 0);
        assert_eq!(pool.run_blocking(|| 7).await.unwrap(), 7);
    }
}
