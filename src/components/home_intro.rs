//! What 首页 says to everyone, whoever is signed in: 企业认证 and what it gives, then 准备资料.
//! It needs no session, so the page shows it at once: index.html holds the same markup as its
//! static first paint, and 首页's loading state and loaded view both render it, box for box.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomeIntro() -> impl IntoView {
    view! {
        <section class="hero" aria-labelledby="hero-title">
            <h1 class="hero__title" id="hero-title">"企业认证"</h1>
            <p class="hero__desc">
                "完成企业认证后，企业成员即可在企业微信内使用腾讯电子签，在线签署具有法律效力的合同。"
            </p>
            <ul class="feature-list">
                <Feature icon="签" text="企业微信内发起与签署合同，无需下载其他应用"/>
                <Feature icon="法" text="电子签名与企业电子印章，签署合同具有法律效力"/>
                <Feature icon="安" text="实名认证与人脸识别，确认每一位签署人身份"/>
            </ul>
        </section>
        <h2 class="cells__title">"认证前准备"</h2>
        <div class="cells">
            <A href="/materials" attr:class="cell cell--link">
                <span class="cell__bd">"准备资料"</span>
                <span class="cell__ft">"所需材料与协助人员"</span>
            </A>
        </div>
        <p class="cells__tips">
            "企业认证需由企业微信管理员在手机上发起，全程约需5至10分钟。"
        </p>
    }
}

#[component]
fn Feature(icon: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <li class="feature-list__item">
            <span class="feature-list__icon" aria-hidden="true">{icon}</span>
            <span>{text}</span>
        </li>
    }
}
