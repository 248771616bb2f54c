//! Wire types and validators shared by the browser and the server.
//!
//! No I/O lives here: the browser uses the validators for instant feedback,
//! and the server enforces the very same rules.

pub mod validate;
pub mod wire;
