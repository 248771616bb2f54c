//! The waiting pages' live update: ask the server for the application now and then, and hand
//! on each answer. When the application has ended (404) because the enterprise is verified,
//! go to the success page. Also the countdown of a resend cooldown.

use std::time::Duration;

use api::wire::{ApplicationView, EnterpriseState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::client::{self, ApiError};

/// Polls every `every` while `active()`; stops with the component.
pub fn poll_application(
    every: Duration,
    active: impl Fn() -> bool + 'static,
    on_view: impl Fn(ApplicationView) + Copy + 'static,
) {
    let navigate = use_navigate();
    let tick = move || {
        if !active() {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            match client::application().await {
                Ok(v) => on_view(v),
                Err(ApiError::Refused { status: 404, .. }) => {
                    if client::session()
                        .await
                        .is_ok_and(|s| s.enterprise_state == EnterpriseState::Verified)
                    {
                        navigate("/apply/done", Default::default());
                    }
                }
                Err(_) => {}
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(tick, every) {
        on_cleanup(move || handle.clear());
    }
}

/// Seconds left of a server cooldown (`resend_in_secs`), counted down here between polls.
pub fn countdown(secs: u64) -> RwSignal<u64> {
    let left = RwSignal::new(secs);
    if let Ok(handle) = set_interval_with_handle(
        move || left.update(|n| *n = n.saturating_sub(1)),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    left
}
