//! Step 4, 超级管理员授权. The three authorization paths arrive with the next issue; this page
//! shows what is done and says plainly that this step comes next.

use api::wire::{ApplicationView, ApplyStep, SubjectType};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::step_frame::StepFrame;

#[component]
pub fn Authorize() -> impl IntoView {
    view! { <StepFrame step=ApplyStep::Authorize render=|v: ApplicationView| view! { <Ahead v/> }/> }
}

#[component]
fn Ahead(v: ApplicationView) -> impl IntoView {
    let license = v.license.as_ref();
    let enterprise = license
        .map(|l| l.name.value.clone())
        .unwrap_or_else(|| v.corp_name.clone());
    let subject = license.map_or("", |l| l.subject_type.label());
    let how = match license.map(|l| l.subject_type) {
        Some(SubjectType::Institution) => {
            "机构需上传加盖公章的超级管理员授权书，由腾讯电子签工作人员审核。"
        }
        _ => "法定代表人本人可通过人脸识别完成授权；员工需通知法定代表人授权。",
    };
    view! {
        <div class="page__hd">
            <h2 class="page__title">"超级管理员授权"</h2>
            <p class="page__desc">"联系方式已验证。下一步将由系统根据主体类型和您的身份提供授权方式。"</p>
        </div>
        <div class="cells">
            <div class="cell"><span class="cell__bd">"企业"</span><span class="cell__ft">{enterprise}</span></div>
            <div class="cell"><span class="cell__bd">"主体类型"</span><span class="cell__ft">{subject}</span></div>
            <div class="cell"><span class="cell__bd">"经办人"</span><span class="cell__ft">{v.applicant.name.clone()}</span></div>
            {v.contact.map(|c| view! {
                <div class="cell"><span class="cell__bd">"联系方式"</span><span class="cell__ft">{c.phone_masked}</span></div>
            })}
        </div>
        <div class="msg">
            <div class="msg__icon msg__icon--waiting" aria-hidden="true"></div>
            <h3 class="msg__title">"授权功能即将开放"</h3>
            <p class="msg__desc">{how}" 该步骤即将开放，您已填写的信息均已保存。"</p>
            <div class="msg__opr">
                <A href="/" attr:class="btn btn--default">"返回首页"</A>
            </div>
        </div>
    }
}
