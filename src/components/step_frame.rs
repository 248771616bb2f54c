//! The frame of every step page: the navbar (back goes one step back), the step bar, and a
//! guard that loads the application and renders only a step the server says is reachable. A
//! deep link to a later step lands on the current one.

use crate::components::back_stack::use_navigate;
use api::wire::{resume_path, ApplicationView, ApplyStep, Scenario};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::NavigateOptions;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::loading::LoadingPage;
use crate::components::navbar::Navbar;
use crate::components::steps::Steps;
use crate::remote::Remote;

#[component]
pub fn StepFrame<F, V>(step: ApplyStep, render: F) -> impl IntoView
where
    F: Fn(ApplicationView) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let app = Remote::new(client::application);
    let navigate = use_navigate();
    let back = step.previous().map_or("/", ApplyStep::path);
    view! {
        <div class="page">
            <Navbar title="企业认证" back_to=back/>
            <Steps current=step.index()/>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let render = render.clone();
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        match app.await {
                            // Scenario 2 shares only 个人实名认证 with these steps.
                            Ok(v) if step <= v.step
                                && (v.scenario == Scenario::New || step == ApplyStep::RealName) =>
                            {
                                render(v).into_any()
                            }
                            other => other.into_outcome(&navigate, move || app.refetch()),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// What a page shows when it is not showing a step: on the way to the step the server says is
/// current, waiting for the session-lost gate, the server's refusal, or a retry.
pub trait StepOutcome {
    fn into_outcome(
        self,
        navigate: &dyn Fn(&str, NavigateOptions),
        retry: impl Fn() + Send + Sync + 'static,
    ) -> AnyView;
}

/// `Ok(view)`: the application is at another step, go there; `Err(error)`: say why, or retry.
impl StepOutcome for Result<ApplicationView, ApiError> {
    fn into_outcome(
        self,
        navigate: &dyn Fn(&str, NavigateOptions),
        retry: impl Fn() + Send + Sync + 'static,
    ) -> AnyView {
        match self {
            Ok(v) => {
                navigate(
                    resume_path(v.scenario, v.step),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
                view! { <LoadingPage/> }.into_any()
            }
            Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
            Err(ApiError::Refused { error, .. }) => {
                view! { <Blocked message=error.message/> }.into_any()
            }
            Err(e) => view! { <ErrorState message=e.to_string() on_retry=retry/> }.into_any(),
        }
    }
}

/// Why this person cannot continue here (not the applicant, nothing started), and the way home.
#[component]
pub fn Blocked(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--info" aria-hidden="true"></div>
            <h2 class="msg__title">"无法继续认证"</h2>
            <p class="msg__desc">{message}</p>
            <div class="msg__opr">
                <A href="/" attr:class="btn btn--primary">"返回首页"</A>
            </div>
        </div>
    }
}
