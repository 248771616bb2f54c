//! `/apply`, where 去认证 leads a WeCom admin: starts the application (or resumes the admin's
//! own) and goes to the step the server says is current.

use crate::components::back_stack::use_navigate;
use leptos::prelude::*;

use crate::client;
use crate::components::loading::LoadingPage;
use crate::components::navbar::Navbar;
use crate::components::step_frame::StepOutcome;
use crate::remote::Remote;

#[component]
pub fn ApplyStart() -> impl IntoView {
    let started = Remote::new(client::start_application);
    let navigate = use_navigate();
    view! {
        <div class="page">
            <Navbar title="企业认证" back_to="/"/>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        started.await.into_outcome(&navigate, move || started.refetch())
                    })
                }}
            </Suspense>
        </div>
    }
}
