use std::net::SocketAddr;

use clap::Parser;
use server::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let config = Config::parse();
    let done = match config.command.clone() {
        None => run(config).await,
        Some(command) => server::import::run(&config, command).await,
    };
    if let Err(e) = done {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

async fn run(config: Config) -> Result<(), String> {
    let state = server::state_from_config(&config).await?;
    server::import_upload_files(&state.db, &state.settings.data_dir).await;
    if !config.static_dir.join("index.html").exists() {
        tracing::warn!(
            "no built app at {}: run `cargo xtask build-app` (the API still works)",
            config.static_dir.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    tracing::info!(
        "serving on http://{} ({} providers)",
        config.addr,
        if state.settings.local_mode {
            "local"
        } else {
            "real"
        }
    );
    if state.settings.local_mode {
        tracing::info!("demo sign-in: http://{}/dev/login", config.addr);
    }
    let live = state.db.live().clone();
    // The peer address feeds the per-address limits (`http::extract::ClientIp`).
    let mut router = server::http::router(state);
    if config.bench_routes {
        // Merged after the app's layers, so none of them runs: the machine's ceiling.
        router = router.route("/bench/constant", axum::routing::get(|| async { "ok" }));
        tracing::warn!("bench-only route /bench/constant is on");
    }
    let app = router.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            // Open event streams never end by themselves, and the shutdown waits for them.
            live.close();
        })
        .await
        .map_err(|e| e.to_string())
}
