//! What the end-to-end journeys stand on: the real `colloquy-server` binary started on a
//! loopback port, host sites on origins of their own, and Debian's Chromium driven through
//! ChromeDriver (with `fantoccini`, behind a synchronous facade). Every wait is a deadline on
//! a condition; nothing sleeps.

/// axe-core's accessibility rules, run on a widget in the page.
pub mod axe;
/// The widget's words as the catalogs of `core/locales/` hold them.
pub mod catalog;
/// Reading a child process's output with a deadline.
pub mod child_output;
/// Owners, sites and the console, as a site owner makes and uses them.
pub mod console;
/// Hostile strings for the corpus journey.
pub mod corpus;
/// A proxy that loses responses on purpose.
pub mod fault_proxy;
/// Site owners' pages on an origin of their own.
pub mod host_site;
/// A TCP server on a loopback port, stopped on drop.
pub mod loopback;
/// A real nginx in front of the server.
pub mod nginx;
/// A PostgreSQL database of a journey's own.
pub mod postgres;
/// Instruments a host page may carry.
pub mod probes;
/// Comments posted through the API before a journey opens its page.
pub mod seeding;
/// Starting and stopping the real server binary.
pub mod server;
/// An SMTP server that keeps what it receives.
pub mod smtp;
/// Server, host site and browser together, and the steps journeys share.
pub mod stage;
/// Chromium through ChromeDriver, synchronously.
pub mod webdriver;
