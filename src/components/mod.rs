//! Widgets shared by the views.

pub mod auth_lost;
pub mod corp_card;
pub mod dialog;
pub mod error_state;
pub mod loading;
pub mod navbar;
pub mod steps;
pub mod toast;
