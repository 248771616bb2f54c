//! One routed view per file.

pub mod apply_start;
pub mod home;
pub mod materials;
pub mod not_found;
