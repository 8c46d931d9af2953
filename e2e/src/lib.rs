//! What the end-to-end journeys stand on: the real `colloquy-server` binary started on a
//! loopback port, and a small W3C WebDriver client driving Debian's Chromium through
//! ChromeDriver. Every wait is a deadline on a condition; nothing sleeps.

/// Reading a child process's output with a deadline.
pub mod child_output;
/// Hostile strings for the corpus journey.
pub mod corpus;
/// A proxy that loses responses on purpose.
pub mod fault_proxy;
/// Site owners' pages on an origin of their own.
pub mod host_site;
/// Starting and stopping the real server binary.
pub mod server;
/// A minimal W3C WebDriver client.
pub mod webdriver;
