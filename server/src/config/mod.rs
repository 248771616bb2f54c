//! Command-line flags and environment variables; real mode's provider settings in [`real`].

pub mod real;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "server",
    about = "企业认证 reference backend: serves the app and its JSON API"
)]
pub struct Config {
    /// A TOML file of settings (`NAME = "value"`, the environment variables' names, e.g.
    /// `ESIGN_WECOM_SUITE_ID = "ww…"`). The environment wins over the file.
    #[arg(long, env = "ESIGN_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address to listen on.
    #[arg(long, env = "ESIGN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Database URL. Defaults to an embedded SQLite file in the data directory, created and
    /// migrated on start.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Connections each server keeps open to the database at most. On PostgreSQL, size the
    /// server's `max_connections` for this times the number of servers, plus their `LISTEN`s.
    #[arg(long, env = "ESIGN_DATABASE_POOL", default_value_t = 16)]
    pub database_pool: u32,

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
    /// and simulation pages; `real` calls WeCom and Tencent Cloud. One provider can be set
    /// apart with `ESIGN_PROVIDER_{WECOM,SMS,OCR,FACE,REALNAME,REGISTRY,DIRECTORY}`.
    #[arg(long, env = "ESIGN_PROVIDERS", value_enum, default_value_t = ProviderMode::Local)]
    pub providers: ProviderMode,

    /// The 32-byte key (base64) that seals ID and phone numbers at rest. Required with real
    /// providers; local mode generates one in `<data dir>/secret.key`.
    #[arg(long, env = "ESIGN_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,

    /// Mark the session cookie `Secure`. Defaults to true with real providers (served over
    /// HTTPS) and false in local mode (plain http on a developer's machine).
    #[arg(long, env = "ESIGN_COOKIE_SECURE", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    pub cookie_secure: Option<bool>,

    /// The deployment's public origin, e.g. `https://esign.example.com` (real-mode.md). With
    /// real providers, state-changing requests must come from it (or a trusted origin).
    #[arg(long, env = "ESIGN_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// More origins whose pages may call the API (comma-separated), e.g. a second domain the
    /// app is also served at. Real mode only; local mode trusts the request's own host.
    #[arg(long, env = "ESIGN_TRUSTED_ORIGINS", value_delimiter = ',')]
    pub trusted_origins: Vec<String>,

    /// The CSP `frame-ancestors` sources: who may show the app in a frame.
    #[arg(long, env = "ESIGN_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// The server is reached only through a reverse proxy that appends the client's address to
    /// `X-Forwarded-For`: per-address limits then count that address. Without it the header
    /// is ignored (anyone could write it) and the socket's peer is counted.
    #[arg(long, env = "ESIGN_TRUSTED_PROXY", default_value_t = false)]
    pub trusted_proxy: bool,

    /// Adds `GET /bench/constant`, a bare route answering a constant, for `cargo xtask bench
    /// load` to measure this machine's ceiling against. Never in a deployment.
    #[arg(long, env = "ESIGN_BENCH_ROUTES", default_value_t = false, hide = true)]
    pub bench_routes: bool,

    /// Without a command the server serves.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The operator's imports (docs/deploy.md), on the server's own database and data key.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Imports the enterprise registry (工商登记信息) from a CSV file with the header
    /// `uscc,name,legal_rep`; existing codes are updated.
    ImportRegistry {
        /// The CSV file (UTF-8, header row required).
        file: PathBuf,
    },
    /// Imports the WeChat-side e-sign directory (scenario 2) from a CSV file with the header
    /// `kind,uscc,enterprise,name,id_number,mobile`; each enterprise in the file is replaced
    /// whole.
    ImportDirectory {
        /// The CSV file (UTF-8, header row required).
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderMode {
    Local,
    Real,
}

impl Config {
    /// The per-provider modes and the settings of the real ones, from the environment and
    /// the `--config` file. A setting given as a flag (`--public-url`) counts as given.
    pub fn real_settings(&self) -> Result<real::RealSettings, real::SettingError> {
        let mut src = real::Source::environment(self.config.as_deref())?;
        if let Some(url) = &self.public_url {
            src = src.with("ESIGN_PUBLIC_URL", url);
        }
        let modes = real::modes(&src, self.providers)?;
        real::load(&src, modes)
    }

    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure
            .unwrap_or(self.providers == ProviderMode::Real)
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("esign.db").display()
            )
        })
    }
}
