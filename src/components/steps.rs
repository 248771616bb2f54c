//! The step bar: 实名认证 → 上传证照 → 联系方式 → 超管授权 (scenario 1), or
//! 实名认证 → 关联微信账户 → 超管授权 (scenario 2).

use api::wire::Scenario;
use leptos::prelude::*;

pub const STEPS: [&str; 4] = ["实名认证", "上传证照", "联系方式", "超管授权"];
pub const WECHAT_STEPS: [&str; 3] = ["实名认证", "关联微信账户", "超管授权"];

/// `current` is the 0-based index of the step in progress.
#[component]
pub fn Steps(current: usize, #[prop(optional)] scenario: Scenario) -> impl IntoView {
    let steps: &[&str] = match scenario {
        Scenario::New => &STEPS,
        Scenario::Wechat => &WECHAT_STEPS,
    };
    view! {
        <ol class="steps" aria-label="认证进度">
            {steps
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let (class, status) = match i.cmp(&current) {
                        std::cmp::Ordering::Less => ("steps__item steps__item--done", "已完成"),
                        std::cmp::Ordering::Equal => ("steps__item steps__item--active", "进行中"),
                        std::cmp::Ordering::Greater => ("steps__item", "未开始"),
                    };
                    view! {
                        <li class=class aria-current=(i == current).then_some("step")>
                            <span class="steps__label">{*label}</span>
                            <span class="sr-only">{status}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
