//! A member's name. Real WeCom tells a third-party app no names (the server knows a masked
//! id); inside WeCom's own browser the name is shown by WeCom's open-data element, which
//! `/wecom.js` binds once the JS-SDK is configured. Nothing of WeCom's is loaded elsewhere.

use api::wire::SessionUser;
use leptos::prelude::*;

/// WeCom's in-app browser says `wxwork` in its user agent.
pub fn in_wecom() -> bool {
    window()
        .navigator()
        .user_agent()
        .is_ok_and(|ua| ua.contains("wxwork"))
}

/// Adds `/wecom.js` to the page, once.
fn load_wecom_sdk() {
    const ID: &str = "wecom-sdk";
    let document = document();
    if document.get_element_by_id(ID).is_some() {
        return;
    }
    let Ok(script) = document.create_element("script") else {
        return;
    };
    script.set_id(ID);
    let _ = script.set_attribute("src", "/wecom.js");
    let _ = script.set_attribute("defer", "");
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}

#[component]
pub fn MemberName(user: SessionUser) -> impl IntoView {
    match user.wecom_user_id {
        Some(id) if in_wecom() => {
            load_wecom_sdk();
            view! { <ww-open-data type="userName" openid=id>{user.name}</ww-open-data> }.into_any()
        }
        _ => user.name.into_any(),
    }
}
