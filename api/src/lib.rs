//! Wire types and validators shared by the browser and the server.
//!
//! No I/O lives here: the browser uses the validators for instant feedback,
//! and the server enforces the very same rules.

#[cfg(feature = "sqlx")]
mod sqlx_text;
pub mod validate;
pub mod wire;
