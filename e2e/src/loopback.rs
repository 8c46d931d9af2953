//! A TCP server on 127.0.0.1 with a port of its own: it hands every connection to a handler
//! on a thread of its own, and stops accepting when it is dropped. The host sites and the
//! fault proxy are built on it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

pub struct Loopback {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Loopback {
    /// Binds a free loopback port and calls `handler` once per connection, each on its own
    /// thread. `what` names the server in the panic if no port can be had.
    pub fn start(what: &str, handler: impl Fn(TcpStream) + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("no loopback port for {what}: {e}"));
        let address = listener.local_addr().expect("the bound address");
        let stopping = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let acceptor = {
            let stopping = stopping.clone();
            std::thread::spawn(move || {
                for connection in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(connection) = connection {
                        let handler = handler.clone();
                        std::thread::spawn(move || handler(connection));
                    }
                }
            })
        };
        Loopback {
            address,
            stopping,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT`, the origin a browser sees.
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The accept loop only looks at the flag when a connection comes: bring one.
        TcpStream::connect(self.address).ok();
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.join().ok();
        }
    }
}

/// A loopback port that was free a moment ago: bound on port 0 and released at once, for a
/// server that must be told its port (`--listen 127.0.0.1:PORT`), so that it can be
/// restarted on the same one.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("the bound address").port()
}
