use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;
use std::time::Duration;

/// Reads `stream` line by line on a thread of its own, echoing each line to stderr with
/// `label`, and returns the first line that contains `marker`, or an error when the stream
/// ends or `deadline` passes first. Later lines keep being echoed.
pub fn first_line_containing(
    stream: impl Read + Send + 'static,
    marker: &'static str,
    label: &'static str,
    deadline: Duration,
) -> Result<String, String> {
    let (found, wait) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            eprintln!("[{label}] {line}");
            if !sent && line.contains(marker) {
                sent = found.send(line).is_ok();
            }
        }
    });
    wait.recv_timeout(deadline)
        .map_err(|_| format!("{label} did not print '{marker}' within {deadline:?}"))
}
