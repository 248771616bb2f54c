//! Component tests: real components mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use api::wire::{EnterpriseState, SessionUser};
use app::components::corp_card::CorpCard;
use app::components::dialog::{Dialog, DialogActions};
use app::components::error_state::ErrorState;
use app::components::steps::Steps;
use app::components::toast::{use_toaster, ToastProvider};
use app::pages::materials::Materials;
use app::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container for one test, so tests never see each other's DOM.
fn container() -> HtmlElement {
    let doc = document();
    let el = doc
        .create_element("div")
        .unwrap()
        .unchecked_into::<HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn all(root: &HtmlElement, selector: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

fn one(root: &HtmlElement, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

fn user(name: &str, wecom_user_id: Option<&str>) -> SessionUser {
    SessionUser {
        id: "u".to_owned(),
        name: name.to_owned(),
        is_wecom_admin: false,
        wecom_user_id: wecom_user_id.map(str::to_owned),
    }
}

#[wasm_bindgen_test]
async fn outside_wecom_a_member_is_named_as_known_and_nothing_of_wecom_loads() {
    // Headless Chromium is not WeCom's browser: the masked id stays, no SDK is added.
    let root = container();
    let _h = mount_to(root.clone(), move || {
        view! { <CorpCard name="星河云图科技有限公司" user=user("成员 zh***ei", Some("zhangwei")) meta="企业微信管理员" state=EnterpriseState::Unverified/> }
    });
    assert_eq!(
        one(&root, ".corp-card__meta").text_content().unwrap(),
        "成员 zh***ei · 企业微信管理员"
    );
    assert!(all(&root, "ww-open-data").is_empty());
    assert!(document().get_element_by_id("wecom-sdk").is_none());
}

#[wasm_bindgen_test]
async fn the_badge_says_the_state_and_only_unverified_offers_verify() {
    for (state, label, action) in [
        (EnterpriseState::Unverified, "未认证", true),
        (EnterpriseState::InProgress, "认证中", false),
        (EnterpriseState::Verified, "已认证", false),
    ] {
        let root = container();
        let taps = RwSignal::new(0);
        let _h = mount_to(root.clone(), move || {
            view! { <CorpCard name="星河云图科技有限公司" user=user("李娜", None) meta="企业员工" state on_verify=move || taps.update(|n| *n += 1)/> }
        });
        let badge = one(&root, ".badge");
        assert!(badge.text_content().unwrap().starts_with(label));
        assert_eq!(one(&root, ".corp-card__logo").text_content().unwrap(), "星");
        assert_eq!(
            all(&root, "button.badge--action").len(),
            usize::from(action)
        );
        badge.click();
        leptos::task::tick().await;
        assert_eq!(taps.get_untracked(), i32::from(action), "{label}");
    }
}

#[wasm_bindgen_test]
async fn the_step_bar_marks_done_current_and_ahead() {
    let root = container();
    let _h = mount_to(root.clone(), || view! { <Steps current=2/> });
    let items = all(&root, ".steps__item");
    let labels: Vec<_> = items
        .iter()
        .map(|i| one(i, ".steps__label").text_content().unwrap())
        .collect();
    assert_eq!(labels, ["实名认证", "上传证照", "联系方式", "超管授权"]);
    assert_eq!(all(&root, ".steps__item--done").len(), 2);
    assert_eq!(
        one(&root, "[aria-current=step]").text_content().unwrap(),
        "联系方式进行中"
    );
}

#[wasm_bindgen_test]
async fn retry_calls_back() {
    let root = container();
    let retries = RwSignal::new(0);
    let _h = mount_to(root.clone(), move || {
        view! { <ErrorState message="网络连接失败，请检查网络后重试" on_retry=move || retries.update(|n| *n += 1)/> }
    });
    assert_eq!(
        one(&root, "[role=alert] p").text_content().unwrap(),
        "网络连接失败，请检查网络后重试"
    );
    one(&root, "button").click();
    one(&root, "button").click();
    leptos::task::tick().await;
    assert_eq!(retries.get_untracked(), 2);
}

#[wasm_bindgen_test]
async fn a_dialog_is_labelled_takes_focus_and_closes_on_escape() {
    let root = container();
    let closed = RwSignal::new(false);
    let _h = mount_to(root.clone(), move || {
        view! {
            <Dialog title="暂无权限" on_dismiss=move || closed.set(true)>
                <p>"正文"</p>
                <DialogActions slot><button class="dialog__btn">"取消"</button></DialogActions>
            </Dialog>
        }
    });
    leptos::task::tick().await;
    let dialog = one(&root, "[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    assert_eq!(
        document()
            .get_element_by_id(&title_id)
            .unwrap()
            .text_content()
            .unwrap(),
        "暂无权限"
    );
    assert_eq!(
        document().active_element().unwrap(),
        dialog.clone().unchecked_into()
    );

    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let esc = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    dialog.dispatch_event(&esc).unwrap();
    assert!(closed.get_untracked());
}

#[wasm_bindgen_test]
async fn a_toast_shows_and_goes() {
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <ToastProvider>
                {
                    let toaster = use_toaster();
                    view! { <button on:click=move |_| toaster.success("已通知企微管理员")>"go"</button> }
                }
            </ToastProvider>
        }
    });
    one(&root, "button").click();
    leptos::task::tick().await;
    assert_eq!(
        one(&root, ".toast .toast__text").text_content().unwrap(),
        "已通知企微管理员"
    );
    gloo_timers::future::TimeoutFuture::new(2400).await;
    assert!(all(&root, ".toast").is_empty(), "the toast hides itself");
}

#[wasm_bindgen_test]
async fn materials_lists_the_four_cases() {
    let root = container();
    let _h = mount_to(root.clone(), || view! { <Router><Materials/></Router> });
    let cards = all(&root, ".material-card");
    assert_eq!(cards.len(), 4);
    let groups: Vec<_> = all(&root, ".material-group__title")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(
        groups,
        ["全新未认证企业", "已开通腾讯电子签微信端服务的企业"]
    );
    assert!(cards[0]
        .text_content()
        .unwrap()
        .contains("超级管理员和法定代表人"));
    assert!(cards[1]
        .text_content()
        .unwrap()
        .contains("加盖公章的超级管理员授权书"));
    assert_eq!(all(&cards[3], ".checklist__item").len(), 1);
    assert_eq!(
        one(&root, ".navbar__back")
            .get_attribute("aria-label")
            .as_deref(),
        Some("返回")
    );
}

#[wasm_bindgen_test]
async fn not_found_offers_the_way_home() {
    let root = container();
    let _h = mount_to(root.clone(), || view! { <Router><NotFound/></Router> });
    assert_eq!(one(&root, "h1").text_content().unwrap(), "页面不存在");
    assert_eq!(one(&root, "a").get_attribute("href").as_deref(), Some("/"));
}

#[wasm_bindgen_test]
fn the_shared_validators_run_in_the_browser() {
    assert!(api::validate::id_number("330106197503120410").is_ok());
    assert_eq!(
        api::validate::uscc("91330106MA2KX7Q891")
            .unwrap_err()
            .to_string(),
        "统一社会信用代码校验位不正确，请核对"
    );
}

#[wasm_bindgen_test]
async fn a_form_row_labels_its_input_with_the_words_only_and_shows_its_error() {
    use app::components::form::TextCell;
    let root = container();
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let _h = mount_to(root.clone(), move || {
        view! {
            <TextCell id="phone" label="手机号" value error inputmode="numeric">
                <button type="button">"获取验证码"</button>
            </TextCell>
        }
    });
    let input: web_sys::HtmlInputElement = one(&root, "#phone").unchecked_into();
    // The button sits in the row but outside the <label>: the input is named 手机号 alone.
    let labels = input.labels().unwrap();
    assert_eq!(labels.length(), 1);
    assert_eq!(labels.item(0).unwrap().text_content().unwrap(), "手机号");
    assert_eq!(input.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );

    input.set_value("1390000000");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    assert_eq!(value.get_untracked(), "1390000000");

    error.set(Some("请输入11位手机号".to_owned()));
    leptos::task::tick().await;
    assert_eq!(
        one(&root, "#phone-error").text_content().unwrap(),
        "请输入11位手机号"
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("phone-error")
    );
    assert!(one(&root, ".cell").class_list().contains("cell--error"));
}

#[wasm_bindgen_test]
async fn the_submit_button_spins_and_refuses_taps_while_pending() {
    use app::components::form::SubmitButton;
    let root = container();
    let pending = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    let _h = mount_to(root.clone(), move || {
        view! { <SubmitButton label="下一步" pending pending_label="正在认证…" blocked/> }
    });
    let button: web_sys::HtmlButtonElement = one(&root, "button").unchecked_into();
    assert_eq!(button.type_(), "submit");
    assert_eq!(button.text_content().unwrap(), "下一步");
    assert!(!button.disabled());

    pending.set(true);
    leptos::task::tick().await;
    assert!(button.disabled());
    assert_eq!(button.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(button.text_content().unwrap(), "正在认证…");
    assert_eq!(all(&root, ".spinner").len(), 1);

    pending.set(false);
    blocked.set(true);
    leptos::task::tick().await;
    assert!(button.disabled(), "blocked for another reason");
    assert_eq!(all(&root, ".spinner").len(), 0);
    assert_eq!(button.text_content().unwrap(), "下一步");
}

#[wasm_bindgen_test]
fn times_read_in_china_time() {
    use app::format::{china_date_time, china_time};
    // 2026-11-28 10:00 UTC is 18:00 in China; 16:30 UTC on 2024-02-28 is past midnight there.
    assert_eq!(china_date_time(1_795_860_000), "2026-11-28 18:00");
    assert_eq!(china_date_time(1_709_137_800), "2024-02-29 00:30");
    assert_eq!(china_time(1_795_860_000), "18:00");
}

fn type_into(root: &HtmlElement, selector: &str, text: &str) {
    let input: web_sys::HtmlInputElement = one(root, selector).unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn scenario_two_has_its_own_step_bar() {
    use api::wire::Scenario;
    let root = container();
    let _h = mount_to(
        root.clone(),
        || view! { <Steps current=1 scenario=Scenario::Wechat/> },
    );
    let labels: Vec<_> = all(&root, ".steps__label")
        .iter()
        .map(|l| l.text_content().unwrap())
        .collect();
    assert_eq!(labels, ["实名认证", "关联微信账户", "超管授权"]);
    assert_eq!(
        one(&root, "[aria-current=step] .steps__label")
            .text_content()
            .unwrap(),
        "关联微信账户"
    );
}

#[wasm_bindgen_test]
async fn the_identity_form_checks_as_typed_and_puts_refusals_at_their_field() {
    use api::wire::{ApiError as WireError, ErrorCode, RealNameRequest};
    use app::client::ApiError;
    use app::components::identity_form::IdentityForm;
    let root = container();
    let sent = RwSignal::new(Vec::<RealNameRequest>::new());
    let refusal = RwSignal::new(None::<ApiError>);
    let _h = mount_to(root.clone(), move || {
        view! {
            <IdentityForm submit_label="开始人脸识别" tips="仅用于核验身份" pending=Signal::derive(|| false)
                refusal on_submit=move |r| sent.update(|v| v.push(r))/>
        }
    });
    let submit = one(&root, "button[type=submit]");

    // An invalid ID number is refused in the browser, at its field, and nothing is sent.
    type_into(&root, "#name", "赵磊");
    type_into(&root, "#id_number", "310115198001010771");
    submit.click();
    leptos::task::tick().await;
    assert!(one(&root, "#id_number-error")
        .text_content()
        .unwrap()
        .contains("身份证号"));
    assert!(sent.get_untracked().is_empty());

    // The X key completes a 17-digit number.
    type_into(&root, "#id_number", "31011519800101077");
    leptos::task::tick().await;
    one(&root, "button[aria-label=输入末位X]").click();
    leptos::task::tick().await;
    submit.click();
    leptos::task::tick().await;
    assert_eq!(
        sent.get_untracked(),
        [RealNameRequest {
            name: "赵磊".to_owned(),
            id_number: "31011519800101077X".to_owned()
        }]
    );

    // The server's refusal lands at the field it names, and what was typed stays.
    refusal.set(Some(ApiError::Refused {
        status: 400,
        error: WireError {
            code: ErrorCode::BadRequest,
            message: "姓名与身份证号不匹配，请核对后重试".to_owned(),
            field: Some("id_number".to_owned()),
            retry_after_secs: None,
        },
    }));
    leptos::task::tick().await;
    assert_eq!(
        one(&root, "#id_number-error").text_content().unwrap(),
        "姓名与身份证号不匹配，请核对后重试"
    );
    let name: web_sys::HtmlInputElement = one(&root, "#name").unchecked_into();
    assert_eq!(name.value(), "赵磊");

    // A refusal about no field shows as the form's alert.
    refusal.set(Some(ApiError::Refused {
        status: 403,
        error: WireError {
            code: ErrorCode::Forbidden,
            message: "您不是蓝海文化传媒有限公司的电子签超级管理员".to_owned(),
            field: None,
            retry_after_secs: None,
        },
    }));
    leptos::task::tick().await;
    assert!(one(&root, ".notice--warn")
        .text_content()
        .unwrap()
        .contains("超级管理员"));
}
