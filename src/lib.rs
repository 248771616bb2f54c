//! The app: every step of 企业认证 as a routed view, talking to the JSON API in `api`.

pub mod client;
pub mod components;
pub mod format;
pub mod pages;
pub mod remote;
pub mod routes;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy};

use components::auth_lost::{provide_auth_lost, AuthLostGate};
use components::back_stack::BackStack;
use components::toast::{TextToastsEndWithPage, ToastProvider};
use pages::{home::Home, materials::Materials, not_found::NotFound};
use routes::{
    ActivateReturnRoute, ActivateRoute, ApplyStartRoute, AuthorizeRoute, ClaimReturnRoute,
    ContactRoute, DoneRoute, FaceReturnRoute, LegalRepReturnRoute, LegalRepRoute, LicenseRoute,
    MyRealNameRoute, RealNameRoute, ReviewsRoute, WechatRoute,
};

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
                    <TextToastsEndWithPage/>
                    <BackStack>
                    <main class="app">
                        <Routes fallback=|| view! { <NotFound/> }>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/materials") view=Materials/>
                            <Route path=path!("/apply") view={Lazy::<ApplyStartRoute>::new()}/>
                            <Route path=path!("/apply/real-name") view={Lazy::<RealNameRoute>::new()}/>
                            <Route path=path!("/apply/license") view={Lazy::<LicenseRoute>::new()}/>
                            <Route path=path!("/apply/contact") view={Lazy::<ContactRoute>::new()}/>
                            <Route path=path!("/apply/authorize") view={Lazy::<AuthorizeRoute>::new()}/>
                            <Route path=path!("/apply/face-return") view={Lazy::<FaceReturnRoute>::new()}/>
                            <Route path=path!("/apply/wechat") view={Lazy::<WechatRoute>::new()}/>
                            <Route path=path!("/apply/done") view={Lazy::<DoneRoute>::new()}/>
                            <Route path=path!("/activate/:token") view={Lazy::<ActivateRoute>::new()}/>
                            <Route path=path!("/activate/:token/face-return") view={Lazy::<ActivateReturnRoute>::new()}/>
                            <Route path=path!("/me/real-name") view={Lazy::<MyRealNameRoute>::new()}/>
                            <Route path=path!("/enterprise/face-return") view={Lazy::<ClaimReturnRoute>::new()}/>
                            <Route path=path!("/legal-rep/:token") view={Lazy::<LegalRepRoute>::new()}/>
                            <Route path=path!("/legal-rep/:token/face-return") view={Lazy::<LegalRepReturnRoute>::new()}/>
                            <Route path=path!("/ops/reviews") view={Lazy::<ReviewsRoute>::new()}/>
                        </Routes>
                    </main>
                    </BackStack>
                </Router>
            </AuthLostGate>
        </ToastProvider>
    }
}
