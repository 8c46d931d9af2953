//! Every comment the server acknowledged with `201` survives `kill -9`: eight writers post
//! as fast as they can, the server is killed in the middle, restarted on the same file, and
//! each acknowledged comment must be there exactly once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use colloquy_e2e::server::Server;
use serde_json::json;

const WRITERS: usize = 8;
/// Acknowledgements to wait for before the kill: enough that writes are in full flow.
const ACKS_BEFORE_KILL: usize = 1_000;

#[test]
fn acknowledged_comments_survive_kill_9() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("durable.db");
    let server = Server::start(&database, &[]);
    let url = server.url("/api/v1/threads/durable/comments");
    let stop = Arc::new(AtomicBool::new(false));
    let (acked, acks) = mpsc::channel::<(i64, String)>();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (url, stop, acked) = (url.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(10))
                    .build();
                // Bounded: a writer stops at the kill or after this many posts.
                for n in 0..5_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let body = format!("Writer {writer}, comment {n}.");
                    let sent = agent.post(&url).send_json(json!({
                        "name": format!("Writer {writer}"),
                        "email": "writer@private.example",
                        "body": body,
                        "idempotency_key": format!("w{writer}-{n}"),
                    }));
                    match sent {
                        Ok(response) if response.status() == 201 => {
                            let created: serde_json::Value = response.into_json().unwrap();
                            let id = created["comment"]["id"].as_i64().unwrap();
                            if acked.send((id, body)).is_err() {
                                break;
                            }
                        }
                        // The server is gone: this writer's work is done.
                        _ => break,
                    }
                }
            })
        })
        .collect();
    drop(acked);

    let mut acknowledged = Vec::new();
    while acknowledged.len() < ACKS_BEFORE_KILL {
        let ack = acks
            .recv_timeout(Duration::from_secs(60))
            .expect("writes are acknowledged");
        acknowledged.push(ack);
    }
    server.crash();
    stop.store(true, Ordering::SeqCst);
    // Acknowledgements that were already on their way before the kill count too.
    acknowledged.extend(acks.iter());
    for writer in writers {
        writer.join().unwrap();
    }

    let restarted = Server::start(&database, &[]);
    let stored = restarted.all_comments("durable");
    for (id, body) in &acknowledged {
        let copies: Vec<_> = stored
            .iter()
            // A plain sentence comes back as one paragraph of content.
            .filter(|c| c["content"] == serde_json::json!([["p", body]]))
            .collect();
        assert_eq!(copies.len(), 1, "{body} is stored exactly once");
        assert_eq!(copies[0]["id"].as_i64(), Some(*id), "{body} kept its id");
    }
    println!(
        "durability: {} acknowledged comments from {WRITERS} writers, all present exactly once after kill -9 ({} stored in all)",
        acknowledged.len(),
        stored.len()
    );
}
