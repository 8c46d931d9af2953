//! A real nginx in front of the server, as a site owner runs it: started by this process
//! from `COLLOQUY_NGINX` (Debian's `nginx`) on a free loopback port, with everything it
//! writes (pid file, logs, temporary files) in a scratch folder of its own, and stopped by
//! its process id when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::child_output::first_line_containing;
use crate::loopback::free_port;
use crate::server::terminate;

/// The nginx binary, from `COLLOQUY_NGINX`.
pub fn nginx_binary() -> PathBuf {
    std::env::var_os("COLLOQUY_NGINX").map(PathBuf::from).expect(
        "COLLOQUY_NGINX is not set: name an nginx binary (apt-get install nginx; /usr/sbin/nginx), \
         or run `cargo xtask test`",
    )
}

/// The README's nginx block (the first ```nginx fence in it), as site owners copy it.
pub fn readme_block() -> &'static str {
    const README: &str = include_str!("../../README.md");
    let (_, after) = README
        .split_once("```nginx\n")
        .expect("the README shows an nginx block");
    let (block, _) = after.split_once("```").expect("the nginx block ends");
    block
}

/// Dropping it stops nginx (and, through it, its worker).
pub struct Nginx {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// Its scratch folder, with `access.log` and `error.log`.
    pub folder: PathBuf,
    child: Option<Child>,
}

impl Nginx {
    /// Serves the files of `root` at `/` on a free loopback port, with `locations` (nginx
    /// `location` blocks) inside the same `server`. `folder` is where nginx keeps what it
    /// writes; it must exist.
    pub fn start(folder: &Path, root: &Path, locations: &str) -> Nginx {
        let port = free_port();
        let at = |name: &str| folder.join(name).display().to_string();
        let config = format!(
            "# Written by the reverse proxy journey.
user root;
worker_processes 1;
pid {pid};
error_log {error_log} notice;
error_log stderr notice;
events {{ worker_connections 256; }}
http {{
    access_log {access_log};
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    types {{
        text/html html;
        text/javascript js;
        application/wasm wasm;
    }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
{locations}
    }}
}}
",
            pid = at("nginx.pid"),
            error_log = at("error.log"),
            access_log = at("access.log"),
            body = at("client_body"),
            proxy = at("proxy"),
            fastcgi = at("fastcgi"),
            uwsgi = at("uwsgi"),
            scgi = at("scgi"),
            root = root.display(),
        );
        let config_file = folder.join("nginx.conf");
        std::fs::write(&config_file, config).expect("write nginx.conf");
        let program = nginx_binary();
        let mut child = Command::new(&program)
            .arg("-p")
            .arg(folder)
            .arg("-e")
            .arg(folder.join("error.log"))
            .arg("-c")
            .arg(&config_file)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start nginx at {program:?}: {e}"));
        // Its listening socket is open before it starts its worker, and says so.
        let stderr = child.stderr.take().expect("nginx's stderr");
        if let Err(message) = first_line_containing(
            stderr,
            "start worker process",
            "nginx",
            Duration::from_secs(30),
        ) {
            terminate(child);
            panic!(
                "{message}; its error log: {}",
                std::fs::read_to_string(folder.join("error.log")).unwrap_or_default()
            );
        }
        Nginx {
            origin: format!("http://127.0.0.1:{port}"),
            folder: folder.to_owned(),
            child: Some(child),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: a fast shutdown, in which the master ends its worker too.
        if let Some(child) = self.child.take() {
            terminate(child);
        }
    }
}
