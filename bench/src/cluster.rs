//! Several server processes on one fresh PostgreSQL database, as a site would run them
//! behind a load balancer: the database is created for the run (on the server that
//! `COLLOQUY_TEST_POSTGRES` names, which xtask sets) and dropped afterwards, and seeded
//! through the server's own store before the processes start.

use std::time::Instant;

use colloquy_e2e::postgres::Database;
use colloquy_e2e::server::{Assets, Launch, Server};
use colloquy_server::storage::postgres::PgStore;

use crate::seed;
use crate::system;

/// Live readers each process may serve: far above what any step opens.
pub const MAX_SUBSCRIBERS: &str = "5000";

/// The processes, then the database (dropped after them, whoever is still connected).
pub struct Cluster {
    servers: Vec<Server>,
    database: Database,
}

impl Cluster {
    /// Creates `colloquy_e2e_<label>_…`, stores `threads` (key, comments, seed) in it
    /// through [`PgStore`], and starts `processes` servers on it, one after the other.
    pub fn start(label: &str, threads: &[(&str, usize, u64)], processes: usize) -> Cluster {
        let database = Database::create(label);
        let began = Instant::now();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let store = PgStore::open(&database.url)
                .await
                .expect("the PostgreSQL database");
            for &(thread, count, seed) in threads {
                seed::seed_thread(&store, thread, count, seed).await;
            }
        });
        drop(runtime);
        eprintln!(
            "bench:   stored {} comments in PostgreSQL in {:.1} s",
            threads.iter().map(|t| t.1).sum::<usize>(),
            began.elapsed().as_secs_f64()
        );
        let servers = (0..processes)
            .map(|_| {
                Launch::new(&database.url)
                    .seed_demo(false)
                    .assets(Assets::Carried)
                    .args(&["--max-subscribers", MAX_SUBSCRIBERS])
                    .start()
            })
            .collect();
        Cluster { servers, database }
    }

    /// Each process's base URL (`http://127.0.0.1:port`).
    pub fn bases(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.base.clone()).collect()
    }

    /// Each process's id.
    pub fn pids(&self) -> Vec<Option<u32>> {
        self.servers.iter().map(Server::pid).collect()
    }

    /// `field` of `/proc/<pid>/status` (`VmRSS:`, `VmHWM:`) for each process, in MB.
    pub fn memory_mb(&self, field: &str) -> Vec<Option<f64>> {
        self.pids()
            .into_iter()
            .map(|pid| pid.and_then(|pid| system::process_mb(pid, field)))
            .collect()
    }

    /// Stops every process (SIGTERM, as an operator would), then drops the database.
    pub fn stop(self) {
        let Cluster { servers, database } = self;
        for server in servers {
            server.stop();
        }
        drop(database);
    }
}
