//! 准备资料: the help page's materials table, by opening type and subject type, as cards.

use leptos::prelude::*;

use crate::components::navbar::Navbar;

struct Case {
    subject: &'static str,
    materials: &'static [&'static str],
    helpers: &'static str,
}

struct Group {
    title: &'static str,
    desc: &'static str,
    cases: [Case; 2],
}

const ENTERPRISE: &str = "企业或个体工商户";
const INSTITUTION: &str = "党政机关及事业单位或其他组织";

/// The seed's table, word for word, split into checklist items.
const GROUPS: [Group; 2] = [
    Group {
        title: "全新未认证企业",
        desc: "企业首次认证腾讯电子签企业账号",
        cases: [
            Case {
                subject: ENTERPRISE,
                materials: &[
                    "企业营业执照原件或营业执照照片",
                    "超级管理员的姓名、手机号和证件号",
                ],
                helpers: "超级管理员和法定代表人",
            },
            Case {
                subject: INSTITUTION,
                materials: &[
                    "机构相关证明文件",
                    "加盖公章的超级管理员授权书",
                    "超级管理员的姓名、手机号和证件号",
                ],
                helpers: "超级管理员",
            },
        ],
    },
    Group {
        title: "已开通腾讯电子签微信端服务的企业",
        desc: "企业已在微信端开通腾讯电子签，关联到企业微信使用",
        cases: [
            Case {
                subject: ENTERPRISE,
                materials: &["企业营业执照原件或营业执照照片"],
                helpers: "超级管理员",
            },
            Case {
                subject: INSTITUTION,
                materials: &["机构相关证明文件"],
                helpers: "超级管理员",
            },
        ],
    },
];

#[component]
pub fn Materials() -> impl IntoView {
    view! {
        <div class="page">
            <Navbar title="准备资料" back_to="/"/>
            <div class="page__hd">
                <h2 class="page__title">"认证前准备资料"</h2>
                <p class="page__desc">"发起企业认证前，根据企业开通类型和主体类型，准备以下资料。"</p>
            </div>
            <div class="materials">
                {GROUPS.iter().map(group_view).collect_view()}
            </div>
            <p class="page__ft">"资料仅用于企业认证，腾讯电子签将依法保护您的信息。"</p>
        </div>
    }
}

fn group_view(group: &'static Group) -> impl IntoView {
    view! {
        <section class="material-group" aria-label=group.title>
            <h3 class="material-group__title">{group.title}</h3>
            <p class="material-group__desc">{group.desc}</p>
            {group.cases.iter().map(case_view).collect_view()}
        </section>
    }
}

fn case_view(case: &'static Case) -> impl IntoView {
    let tag = if case.subject == ENTERPRISE {
        "tag tag--green"
    } else {
        "tag tag--blue"
    };
    view! {
        <article class="material-card">
            <div class="material-card__subject">
                <span class=tag>"主体类型"</span>
                <h4 class="material-card__value">{case.subject}</h4>
            </div>
            <div class="material-card__row">
                <div class="material-card__label">"所需材料"</div>
                <ul class="checklist">
                    {case.materials.iter().map(|m| view! { <li class="checklist__item">{*m}</li> }).collect_view()}
                </ul>
            </div>
            <div class="material-card__row">
                <div class="material-card__label">"协助人员"</div>
                <div class="material-card__value">{case.helpers}</div>
            </div>
        </article>
    }
}
