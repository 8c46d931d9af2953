use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::child_output::first_line_containing;

/// The `colloquy-server` binary that `cargo xtask test` built for these journeys.
pub fn server_binary() -> PathBuf {
    std::env::var_os("COLLOQUY_SERVER_BIN")
        .map(PathBuf::from)
        .expect("COLLOQUY_SERVER_BIN is not set: run the journeys with `cargo xtask test`")
}

/// The release widget (`dist/`) built by `cargo xtask test`.
pub fn widget_dist() -> PathBuf {
    let dist = std::env::var_os("COLLOQUY_DIST")
        .map(PathBuf::from)
        .expect("COLLOQUY_DIST is not set: run the journeys with `cargo xtask test`");
    assert!(
        dist.join("colloquy_bg.wasm").is_file(),
        "no built widget in {dist:?}"
    );
    dist
}

/// The base URL (`http://host:port`, without the closing slash) in the line the server
/// prints once it listens (`Colloquy is listening on http://127.0.0.1:40123/`), or None if
/// `line` is not that line.
pub fn listening_base(line: &str) -> Option<String> {
    let (_, after) = line.split_once("listening on ")?;
    let url = after.split_whitespace().next()?;
    let base = url.trim_end_matches('/');
    (base.starts_with("http://") && base.len() > "http://".len()).then(|| base.to_owned())
}

/// Where a started server takes the widget's files from.
#[derive(Clone, Debug)]
pub enum Assets {
    /// `--assets` with the release widget of [`widget_dist`] (what most journeys serve).
    Dist,
    /// `--assets` with another folder.
    Folder(PathBuf),
    /// No `--assets`: the files the binary carries (else `./dist` in its working folder),
    /// as a site owner runs it.
    Carried,
}

/// How a server is started: [`Server::start`]'s choices, each of which can be changed.
/// Keep it to start the same server again ([`Server::restart`], or [`Launch::start`] once
/// the first one is gone).
#[derive(Clone, Debug)]
pub struct Launch {
    program: PathBuf,
    /// A SQLite file or a `postgres://` URL.
    database: OsString,
    listen: String,
    assets: Assets,
    seed_demo: bool,
    working_folder: Option<PathBuf>,
    args: Vec<String>,
}

impl Launch {
    /// [`server_binary`] on `database` (a SQLite file or a `postgres://` URL), listening on
    /// a free loopback port, serving the release widget (`--assets`), with the demo thread.
    pub fn new(database: impl AsRef<OsStr>) -> Launch {
        Launch {
            program: server_binary(),
            database: database.as_ref().to_owned(),
            listen: "127.0.0.1:0".into(),
            assets: Assets::Dist,
            seed_demo: true,
            working_folder: None,
            args: Vec::new(),
        }
    }

    /// The database it is started on (a SQLite file or a `postgres://` URL).
    pub fn database(&self) -> &OsStr {
        &self.database
    }

    /// Another copy of the binary (a site owner's, in a folder of its own).
    pub fn program(mut self, program: &Path) -> Launch {
        self.program = program.to_owned();
        self
    }

    /// `--listen`: an address with a fixed port, so that a restart keeps it.
    pub fn listen(mut self, address: &str) -> Launch {
        self.listen = address.to_owned();
        self
    }

    pub fn assets(mut self, assets: Assets) -> Launch {
        self.assets = assets;
        self
    }

    /// Whether to pass `--seed-demo`.
    pub fn seed_demo(mut self, seed: bool) -> Launch {
        self.seed_demo = seed;
        self
    }

    /// The process's working folder (by default this process's own).
    pub fn working_folder(mut self, folder: &Path) -> Launch {
        self.working_folder = Some(folder.to_owned());
        self
    }

    /// More arguments, after the others (so a flag given here wins).
    pub fn args(mut self, args: &[&str]) -> Launch {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Starts the server and waits until it says where it listens.
    pub fn start(self) -> Server {
        let mut command = Command::new(&self.program);
        command
            .arg("--listen")
            .arg(&self.listen)
            .arg("--database")
            .arg(&self.database);
        match &self.assets {
            Assets::Dist => {
                command.arg("--assets").arg(widget_dist());
            }
            Assets::Folder(folder) => {
                command.arg("--assets").arg(folder);
            }
            Assets::Carried => {}
        }
        if self.seed_demo {
            command.arg("--seed-demo");
        }
        if let Some(folder) = &self.working_folder {
            command.current_dir(folder);
        }
        let mut child = command
            .args(&self.args)
            .env("COLLOQUY_LOG", "warn,colloquy_server=info")
            // Journeys post many comments from one address; a journey about the limit
            // passes `--posts-per-minute`, which wins over this.
            .env("COLLOQUY_POSTS_PER_MINUTE", "0")
            // Journeys read what they post at once; a journey about moderation passes
            // `--moderation`, which wins over this.
            .env("COLLOQUY_MODERATION", "none")
            // Whatever this process was given, the flags above say where the assets are.
            .env_remove("COLLOQUY_ASSETS")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start colloquy-server {:?}: {e}", self.program));
        let log: Arc<(Mutex<Vec<String>>, Condvar)> = Arc::default();
        if let Some(stderr) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("[server log] {line}");
                    log.0.lock().unwrap().push(line);
                    log.1.notify_all();
                }
            });
        }
        let stdout = child.stdout.take().expect("server stdout");
        let base = first_line_containing(stdout, "listening on", "server", Duration::from_secs(30))
            .and_then(|line| {
                listening_base(&line).ok_or_else(|| format!("no address in the server's {line:?}"))
            });
        let base = match base {
            Ok(base) => base,
            Err(message) => {
                child.kill().ok();
                child.wait().ok();
                panic!("{message}")
            }
        };
        Server {
            base,
            child: Some(child),
            log,
            launch: self,
        }
    }
}

/// A running server process on 127.0.0.1 with a free port. Dropping it kills it.
pub struct Server {
    pub base: String,
    child: Option<Child>,
    log: Arc<(Mutex<Vec<String>>, Condvar)>,
    launch: Launch,
}

impl Server {
    /// Starts the server on `database`, serving the release widget, with the demo thread
    /// (see [`Launch`] for other choices).
    pub fn start(database: &Path, extra_args: &[&str]) -> Server {
        Launch::new(database).args(extra_args).start()
    }

    /// How this server was started.
    pub fn launch(&self) -> &Launch {
        &self.launch
    }

    /// Stops the server as [`Server::stop`] does and starts it again on the same database
    /// with the same arguments (on a new port, so [`Server::base`] changes, unless it was
    /// started with [`Launch::listen`] on a fixed one).
    pub fn restart(&mut self) {
        if let Some(child) = self.child.take() {
            terminate(child);
        }
        *self = self.launch.clone().start();
    }

    /// Waits until the server has logged a line containing every one of `parts`.
    pub fn wait_for_log(&self, parts: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let (lines, changed) = &*self.log;
        let mut lines = lines.lock().unwrap();
        loop {
            if let Some(line) = lines.iter().find(|l| parts.iter().all(|p| l.contains(p))) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the server never logged {parts:?}");
            lines = changed.wait_timeout(lines, left).unwrap().0;
        }
    }

    /// Posts a comment straight to the API (as a non-browser client) and returns its id.
    pub fn post(&self, thread: &str, name: &str, body: &str) -> i64 {
        static POSTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let key = format!(
            "seed-{}",
            POSTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let created: serde_json::Value = ureq::post(&self.url(&format!(
            "/api/v1/threads/{}/comments",
            thread.replace('/', "%2F")
        )))
        .send_json(serde_json::json!({
            "name": name, "email": "seed@private.example", "body": body, "idempotency_key": key,
        }))
        .expect("POST a comment")
        .into_json()
        .expect("a JSON answer");
        created["comment"]["id"].as_i64().expect("an id")
    }

    /// The server's process id (the bench reads its peak memory).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Asks the server to stop (SIGTERM), as an operator would, and waits for it to exit.
    pub fn stop(mut self) {
        if let Some(child) = self.child.take() {
            terminate(child);
        }
    }

    /// Kills the server with SIGKILL, as a power cut or the OOM killer would: no shutdown,
    /// no flush, no goodbye.
    pub fn crash(mut self) {
        if let Some(mut child) = self.child.take() {
            Command::new("kill")
                .args(["-KILL", &child.id().to_string()])
                .status()
                .ok();
            child.wait().ok();
        }
    }

    /// A GET of the API, parsed as JSON.
    /// Every comment of `thread` (a key, `/` allowed), through every page of its API, as
    /// "Show more comments" reads them.
    pub fn all_comments(&self, thread: &str) -> Vec<serde_json::Value> {
        let base = format!(
            "/api/v1/threads/{}/comments?limit=200",
            thread.replace('/', "%2F")
        );
        let mut comments = Vec::new();
        let mut path = base.clone();
        loop {
            let page = self.get_json(&path);
            comments.extend(page["comments"].as_array().cloned().unwrap_or_default());
            match page["next"].as_str() {
                Some(next) => path = format!("{base}&after={next}"),
                None => return comments,
            }
        }
    }

    pub fn get_json(&self, path: &str) -> serde_json::Value {
        ureq::get(&self.url(path))
            .call()
            .expect("GET the API")
            .into_json()
            .expect("a JSON answer")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// SIGTERM, then up to ten seconds for a graceful exit, then SIGKILL.
pub(crate) fn terminate(mut child: Child) {
    let pid = child.id().to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status();
    if signalled.is_ok_and(|status| status.success()) {
        let (exited, wait) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            exited.send(()).ok();
            (child, status)
        });
        if wait.recv_timeout(Duration::from_secs(10)).is_ok() {
            waiter.join().ok();
            return;
        }
        Command::new("kill").args(["-KILL", &pid]).status().ok();
        waiter.join().ok();
    } else {
        child.kill().ok();
        child.wait().ok();
    }
}
