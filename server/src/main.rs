use std::io::Write;

use clap::Parser;
use colloquy_server::cli::Cli;
use colloquy_server::{AppState, Config};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Cli {
        config,
        site,
        command,
    } = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COLLOQUY_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match command {
        Some(command) => colloquy_server::cli::run(&config, site.as_deref(), command).await,
        None => run(config).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("colloquy-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let state = AppState::open_at(&config, format!("http://{address}"))
        .await
        .map_err(|e| format!("cannot open {}: {e}", config.database))?;
    if config.seed_demo {
        colloquy_server::demo::seed(&state)
            .await
            .map_err(|e| format!("cannot seed the demo thread: {e}"))?;
    }
    if state.notifier.mail_on() {
        tracing::info!(links = %state.notifier.public_url, "email is on");
    } else {
        tracing::info!("email is off (no --smtp-url): readers cannot ask for replies by email");
    }
    match &config.assets {
        Some(folder) => tracing::info!("serving the widget from {}", folder.display()),
        None if colloquy_server::http::assets::carries_widget() => {
            tracing::info!("serving the widget this binary carries")
        }
        None => tracing::info!("serving the widget from ./dist"),
    }
    tracing::info!(database = %config.database, "storing comments");
    // Tests and xtask read this line to learn the port when `--listen` asked for port 0.
    println!("Colloquy is listening on http://{address}/");
    std::io::stdout().flush().ok();
    colloquy_server::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let interrupt = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
