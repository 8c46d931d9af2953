//! The peers the email tests talk to, on loopback: the journeys' SMTP server (one
//! implementation, included from `e2e/src/smtp.rs`), and a webhook receiver that keeps
//! every call; both can be down for a while.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[path = "../../../e2e/src/smtp.rs"]
mod smtp;

pub use smtp::{Mail, SmtpSink};

/// How long a test waits for a message to arrive.
pub const WAIT: Duration = Duration::from_secs(30);

/// [`SmtpSink::wait_for`] without blocking the test's runtime (the server runs on it).
pub async fn mails_to(sink: &SmtpSink, to: &str, count: usize) -> Vec<Mail> {
    let (sink, to) = (sink.clone(), to.to_owned());
    tokio::task::spawn_blocking(move || sink.wait_for(&to, count, WAIT))
        .await
        .unwrap()
}

/// One webhook call as received.
#[derive(Clone, Debug)]
pub struct Call {
    pub headers: HeaderMap,
    pub body: String,
}

/// An HTTP server that keeps every webhook call and answers 200.
pub struct WebhookReceiver {
    pub port: u16,
    calls: Arc<Mutex<Vec<Call>>>,
    stop: Option<oneshot::Sender<()>>,
}

impl WebhookReceiver {
    /// A receiver on a port of its own that does not answer yet (the webhook is down).
    pub async fn reserve() -> WebhookReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        WebhookReceiver {
            port,
            calls: Arc::default(),
            stop: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Starts answering.
    pub async fn start(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let calls = self.calls.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let calls = calls.clone();
                async move {
                    calls.lock().unwrap().push(Call { headers, body });
                    "ok"
                }
            }),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    stopped.await.ok();
                })
                .await
                .ok();
        });
        self.stop = Some(stop);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The calls, once there are `count` of them.
    pub async fn wait_for(&self, count: usize) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let calls = self.calls();
            if calls.len() >= count {
                return calls;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{count} webhook calls did not arrive within {WAIT:?}; {} did",
                calls.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}
