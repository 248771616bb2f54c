//! The private PostgreSQL cluster of `scripts/pg.sh`, for the benches and the e2e suite.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util;

/// Starts the cluster if needed and (re)creates database `name`; its URL.
pub fn fresh_database(root: &Path, name: &str) -> Result<String> {
    let out = Command::new("bash")
        .current_dir(root)
        .args(["scripts/pg.sh", "start"])
        .output()
        .context("running scripts/pg.sh")?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let server = String::from_utf8(out.stdout)?.trim().to_owned();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        util::run(Command::new("psql").args(["-q", &format!("{server}/postgres"), "-c", &sql]))?;
    }
    Ok(format!("{server}/{name}"))
}
