//! `use_sms_countdown()`: the 获取验证码 → `N秒后重发` → 重新获取 button state.
//!
//! The deadline is kept in `sessionStorage`, so a reload shows the countdown at once; the
//! server's own cooldown (`sms_resend_in_secs`) corrects it, and enforces the real limit.

use std::time::Duration;

use leptos::prelude::*;

const KEY: &str = "esign.sms.deadline";

fn now_ms() -> f64 {
    web_sys::js_sys::Date::now()
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

#[derive(Clone, Copy)]
pub struct SmsCountdown {
    deadline: RwSignal<f64>,
    tick: RwSignal<f64>,
    /// Whether a code was ever sent in this session (for the 重新获取 label).
    sent: RwSignal<bool>,
}

impl SmsCountdown {
    /// Seconds left before another code may be requested.
    pub fn left(&self) -> u64 {
        let left = self.deadline.get() - self.tick.get();
        if left > 0.0 {
            (left / 1000.0).ceil() as u64
        } else {
            0
        }
    }

    /// Start (or align with the server) a countdown of `secs`.
    pub fn start(&self, secs: u64) {
        let deadline = now_ms() + secs as f64 * 1000.0;
        self.deadline.set(deadline);
        self.tick.set(now_ms());
        self.sent.set(true);
        if let Some(s) = storage() {
            let _ = s.set_item(KEY, &deadline.to_string());
        }
    }

    pub fn label(&self) -> String {
        match self.left() {
            0 if self.sent.get() => "重新获取".to_owned(),
            0 => "获取验证码".to_owned(),
            n => format!("{n}秒后重发"),
        }
    }
}

pub fn use_sms_countdown() -> SmsCountdown {
    let saved = storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    let countdown = SmsCountdown {
        deadline: RwSignal::new(saved),
        tick: RwSignal::new(now_ms()),
        sent: RwSignal::new(saved > 0.0),
    };
    let tick = countdown.tick;
    if let Ok(handle) =
        set_interval_with_handle(move || tick.set(now_ms()), Duration::from_millis(500))
    {
        on_cleanup(move || handle.clear());
    }
    countdown
}
