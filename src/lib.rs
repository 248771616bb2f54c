//! The app: every step of 企业认证 as a routed view, talking to the JSON API in `api`.

pub mod client;
pub mod components;
pub mod format;
pub mod pages;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use components::auth_lost::{provide_auth_lost, AuthLostGate};
use components::toast::ToastProvider;
use pages::activate::Activate;
use pages::activate_return::ActivateReturn;
use pages::apply_start::ApplyStart;
use pages::authorize::Authorize;
use pages::claim_return::ClaimReturn;
use pages::contact::Contact;
use pages::done::Done;
use pages::face_return::FaceReturn;
use pages::legal_rep::LegalRep;
use pages::legal_rep_return::LegalRepReturn;
use pages::license::License;
use pages::my_real_name::MyRealName;
use pages::real_name::RealName;
use pages::reviews::Reviews;
use pages::wechat::Wechat;
use pages::{home::Home, materials::Materials, not_found::NotFound};

/// Mounts the app and removes `index.html`'s boot screen (the spinner, or 首页's static copy) in
/// the same task, so no frame shows both or neither.
pub fn mount() {
    leptos::mount::mount_to_body(App);
    let document = document();
    if let Some(boot) = document.get_element_by_id("boot") {
        boot.remove();
    }
    // Tells index.html's guard that the app started, so later errors don't replace the page.
    let _ = js_sys_set_mounted();
}

fn js_sys_set_mounted() -> Result<(), wasm_bindgen::JsValue> {
    let window = window();
    let key = wasm_bindgen::JsValue::from_str("__appMounted");
    web_sys::js_sys::Reflect::set(&window, &key, &wasm_bindgen::JsValue::TRUE).map(|_| ())
}

/// The root: global services (toast, session-lost gate) and the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_auth_lost();
    view! {
        <ToastProvider>
            <AuthLostGate>
                <Router>
                    <main class="app">
                        <Routes fallback=|| view! { <NotFound/> }>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/materials") view=Materials/>
                            <Route path=path!("/apply") view=ApplyStart/>
                            <Route path=path!("/apply/real-name") view=RealName/>
                            <Route path=path!("/apply/license") view=License/>
                            <Route path=path!("/apply/contact") view=Contact/>
                            <Route path=path!("/apply/authorize") view=Authorize/>
                            <Route path=path!("/apply/face-return") view=FaceReturn/>
                            <Route path=path!("/apply/wechat") view=Wechat/>
                            <Route path=path!("/apply/done") view=Done/>
                            <Route path=path!("/activate/:token") view=Activate/>
                            <Route path=path!("/activate/:token/face-return") view=ActivateReturn/>
                            <Route path=path!("/me/real-name") view=MyRealName/>
                            <Route path=path!("/enterprise/face-return") view=ClaimReturn/>
                            <Route path=path!("/legal-rep/:token") view=LegalRep/>
                            <Route path=path!("/legal-rep/:token/face-return") view=LegalRepReturn/>
                            <Route path=path!("/ops/reviews") view=Reviews/>
                        </Routes>
                    </main>
                </Router>
            </AuthLostGate>
        </ToastProvider>
    }
}
