//! Command-line flags and environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "server",
    about = "企业认证 reference backend: serves the app and its JSON API"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "ESIGN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Database URL. Defaults to an embedded SQLite file in the data directory, created and
    /// migrated on start.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory for the SQLite file, keys and uploads.
    #[arg(long, env = "ESIGN_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Directory of the built app (Trunk's dist/).
    #[arg(long, env = "ESIGN_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Directory of the license OCR models and ONNX Runtime (installed by scripts/setup.sh).
    #[arg(long, env = "ESIGN_OCR_DIR", default_value = "models/ocr")]
    pub ocr_dir: PathBuf,

    /// Which providers to talk to: `local` runs everything offline with demo data, an outbox
    /// and simulation pages; `real` calls WeCom and Tencent Cloud.
    #[arg(long, env = "ESIGN_PROVIDERS", value_enum, default_value_t = ProviderMode::Local)]
    pub providers: ProviderMode,

    /// The 32-byte key (base64) that seals ID and phone numbers at rest. Required with real
    /// providers; local mode generates one in `<data dir>/secret.key`.
    #[arg(long, env = "ESIGN_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,

    /// Mark the session cookie `Secure` (set this behind HTTPS).
    #[arg(long, env = "ESIGN_COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,

    /// The server is reached only through a reverse proxy that appends the client's address to
    /// `X-Forwarded-For`: per-address limits then count that address. Without it the header
    /// is ignored (anyone could write it) and the socket's peer is counted.
    #[arg(long, env = "ESIGN_TRUSTED_PROXY", default_value_t = false)]
    pub trusted_proxy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderMode {
    Local,
    Real,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("esign.db").display()
            )
        })
    }
}
