//! The page face verification sends a signed-in member back to: 超管授权's own face
//! (`/apply/face-return`) or the super admin's claim (`/enterprise/face-return`). It asks the
//! server, which asks the provider: coming back proves nothing by itself.

use crate::components::back_stack::use_navigate;
use api::wire::FaceOutcome;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::NavigateOptions;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::link_page::biz_token_param;
use crate::components::loading::LoadingPage;
use crate::components::navbar::Navbar;
use crate::components::toast::use_toaster;
use crate::remote::Remote;

/// Which face check the member comes back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberFace {
    /// The legal representative's own face at 超管授权.
    Authorize,
    /// A super admin who opened outside WeCom proves, in WeCom, that they are that person.
    Claim,
}

impl MemberFace {
    fn title(self) -> &'static str {
        match self {
            Self::Authorize => "人脸识别",
            Self::Claim => "确认超级管理员身份",
        }
    }

    /// Where 返回 leads.
    fn back(self) -> &'static str {
        match self {
            Self::Authorize => "/apply/authorize",
            Self::Claim => "/",
        }
    }

    async fn result(self, biz_token: String) -> Result<FaceOutcome, ApiError> {
        match self {
            Self::Authorize => client::face_result(biz_token).await,
            Self::Claim => client::claim_result(biz_token).await,
        }
    }

    async fn start_again(self) -> Result<api::wire::FaceStart, ApiError> {
        match self {
            Self::Authorize => client::start_face().await,
            Self::Claim => client::start_claim().await,
        }
    }
}

#[component]
pub fn MemberFaceReturn(face: MemberFace) -> impl IntoView {
    let token = biz_token_param();
    let outcome = Remote::new(move || face.result(token.clone()));
    let navigate = use_navigate();
    let toaster = use_toaster();
    view! {
        <div class="page">
            <Navbar title=face.title() back_to=face.back()/>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        match outcome.await {
                            Ok(o) if o.passed => {
                                if face == MemberFace::Claim {
                                    toaster.success("您已成为企业超级管理员");
                                }
                                navigate("/apply/done", NavigateOptions { replace: true, ..Default::default() });
                                view! { <LoadingPage/> }.into_any()
                            }
                            Ok(o) => view! { <Failed face message=o.message retries_left=o.retries_left/> }.into_any(),
                            Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
                            Err(e @ ApiError::Refused { .. }) => {
                                view! { <Failed face message=e.to_string() retries_left=1/> }.into_any()
                            }
                            Err(e) => view! {
                                <ErrorState message=e.to_string() on_retry=move || outcome.refetch()/>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// Not passed: why, and a way to try again (while today's tries last).
#[component]
fn Failed(face: MemberFace, message: String, retries_left: u32) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let retry = move |_| {
        busy.set(true);
        spawn_local(async move {
            match face.start_again().await {
                Ok(s) => {
                    let _ = window().location().assign(&s.url);
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--warn" aria-hidden="true"></div>
            <h2 class="msg__title">"人脸识别未通过"</h2>
            <p class="msg__desc">{message}</p>
            {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
            <div class="msg__opr">
                {(retries_left > 0).then(|| view! {
                    <button type="button" class="btn btn--primary" disabled=move || busy.get() on:click=retry>"重新识别"</button>
                })}
                <A href=face.back() attr:class="btn btn--default">
                    {if face == MemberFace::Claim { "返回首页" } else { "返回" }}
                </A>
            </div>
        </div>
    }
}
