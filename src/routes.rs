//! The routes after 首页 and 准备资料, grouped into chunks that the release bundle loads on
//! first visit (Leptos lazy routes; `cargo xtask build-app` enables the `split` feature and
//! splits the module with wasm-split). 首页 then pays only for itself.
//!
//! A chunk that fails to load on a weak network shows the error state with 重试 instead of
//! aborting the module: the split functions are `fallible`, and a failed load is not cached.
//! Without the feature (component tests, `cargo check`) every page is rendered directly.

use leptos::prelude::*;
use leptos_router::LazyRoute;

#[cfg(feature = "split")]
use crate::components::{error_state::ErrorState, loading::LoadingPage};
use crate::pages::{
    activate::Activate, activate_return::ActivateReturn, apply_start::ApplyStart,
    authorize::Authorize, claim_return::ClaimReturn, contact::Contact, done::Done,
    face_return::FaceReturn, legal_rep::LegalRep, legal_rep_return::LegalRepReturn,
    license::License, my_real_name::MyRealName, real_name::RealName, reviews::Reviews,
    wechat::Wechat,
};

/// A chunk did not arrive (the network, or a deploy that replaced it).
#[derive(Debug, Clone, Copy)]
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// Which page of a chunk to render. One chunk per group of routes a person goes through
/// together: the applicant's steps, the pages a link opens, the reviewers' console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    ApplyStart,
    RealName,
    License,
    Contact,
    Authorize,
    FaceReturn,
    Wechat,
    Done,
    MyRealName,
    ClaimReturn,
    Activate,
    ActivateReturn,
    LegalRep,
    LegalRepReturn,
    Reviews,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Apply,
    Links,
    Ops,
}

impl Page {
    fn chunk(self) -> Chunk {
        match self {
            Page::Activate | Page::ActivateReturn | Page::LegalRep | Page::LegalRepReturn => {
                Chunk::Links
            }
            Page::Reviews => Chunk::Ops,
            _ => Chunk::Apply,
        }
    }
}

// The bodies below are reached only through their split export, so the splitter moves them
// (and whatever only they use) into the chunk.
fn apply_pages(page: Page) -> AnyView {
    match page {
        Page::RealName => view! { <RealName/> }.into_any(),
        Page::License => view! { <License/> }.into_any(),
        Page::Contact => view! { <Contact/> }.into_any(),
        Page::Authorize => view! { <Authorize/> }.into_any(),
        Page::FaceReturn => view! { <FaceReturn/> }.into_any(),
        Page::Wechat => view! { <Wechat/> }.into_any(),
        Page::Done => view! { <Done/> }.into_any(),
        Page::MyRealName => view! { <MyRealName/> }.into_any(),
        Page::ClaimReturn => view! { <ClaimReturn/> }.into_any(),
        _ => view! { <ApplyStart/> }.into_any(),
    }
}

fn link_pages(page: Page) -> AnyView {
    match page {
        Page::ActivateReturn => view! { <ActivateReturn/> }.into_any(),
        Page::LegalRep => view! { <LegalRep/> }.into_any(),
        Page::LegalRepReturn => view! { <LegalRepReturn/> }.into_any(),
        _ => view! { <Activate/> }.into_any(),
    }
}

fn ops_pages(_: Page) -> AnyView {
    view! { <Reviews/> }.into_any()
}

#[cfg(feature = "split")]
mod split {
    use super::*;
    use leptos::wasm_split::wasm_split;

    #[wasm_split(apply, fallible, wasm_split_path = ::leptos::wasm_split, preload(apply_chunk))]
    pub fn apply(page: Page) -> Result<AnyView, ChunkError> {
        Ok(apply_pages(page))
    }

    #[wasm_split(links, fallible, wasm_split_path = ::leptos::wasm_split)]
    pub fn links(page: Page) -> Result<AnyView, ChunkError> {
        Ok(link_pages(page))
    }

    #[wasm_split(ops, fallible, wasm_split_path = ::leptos::wasm_split)]
    pub fn ops(page: Page) -> Result<AnyView, ChunkError> {
        Ok(ops_pages(page))
    }
}

#[cfg(feature = "split")]
async fn load(page: Page) -> Result<AnyView, ChunkError> {
    match page.chunk() {
        Chunk::Apply => split::apply(page).await,
        Chunk::Links => split::links(page).await,
        Chunk::Ops => split::ops(page).await,
    }
}

/// Starts fetching the applicant's steps as 去认证 is pressed, so the next page is there
/// sooner. Not on idle: on a weak network the bytes would compete with 首页's own requests.
pub fn preload_apply() {
    #[cfg(feature = "split")]
    leptos::task::spawn_local(async {
        // A failure here is retried by the route itself, with its error state.
        let _ = split::apply_chunk().await;
    });
}

/// Renders `page`: directly without the `split` feature, else once its chunk is loaded, with
/// the loading spinner meanwhile and 重试 when the chunk did not arrive.
fn render(page: Page) -> AnyView {
    #[cfg(not(feature = "split"))]
    {
        match page.chunk() {
            Chunk::Apply => apply_pages(page),
            Chunk::Links => link_pages(page),
            Chunk::Ops => ops_pages(page),
        }
    }
    #[cfg(feature = "split")]
    {
        view! { <ChunkPage page/> }.into_any()
    }
}

#[cfg(feature = "split")]
#[component]
fn ChunkPage(page: Page) -> impl IntoView {
    // `None` while loading; a failed load keeps nothing, so 重试 really fetches again.
    let state = RwSignal::new(None::<Result<(), ChunkError>>);
    let view_slot = StoredValue::new_local(None::<AnyView>);
    // 重试 runs inside the error view, whose owner goes as soon as the state changes: the
    // load belongs to this component's owner instead, so only leaving the page cancels it.
    let owner = Owner::current().unwrap_or_default();
    let start = Callback::new(move |()| {
        owner.with(|| {
            state.set(None);
            // Under this component's owner (the pages use the router's and toaster's
            // context), and dropped when the person leaves before the chunk arrived.
            leptos::task::spawn_local_scoped_with_cancellation(async move {
                match load(page).await {
                    Ok(v) => {
                        view_slot.set_value(Some(v));
                        state.set(Some(Ok(())));
                    }
                    Err(e) => state.set(Some(Err(e))),
                }
            });
        })
    });
    start.run(());
    move || match state.get() {
        None => view! { <LoadingPage/> }.into_any(),
        Some(Ok(())) => view_slot
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        Some(Err(ChunkError)) => view! {
            <div class="page">
                <ErrorState
                    message="网络不稳定，页面未能加载完成，请检查网络后重试"
                    on_retry=start
                />
            </div>
        }
        .into_any(),
    }
}

macro_rules! lazy_routes {
    ($($route:ident => $page:ident),* $(,)?) => {
        $(
            #[doc = concat!("The lazy route of [`Page::", stringify!($page), "`].")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    render(Page::$page)
                }
            }
        )*
    };
}

lazy_routes! {
    ApplyStartRoute => ApplyStart,
    RealNameRoute => RealName,
    LicenseRoute => License,
    ContactRoute => Contact,
    AuthorizeRoute => Authorize,
    FaceReturnRoute => FaceReturn,
    WechatRoute => Wechat,
    DoneRoute => Done,
    MyRealNameRoute => MyRealName,
    ClaimReturnRoute => ClaimReturn,
    ActivateRoute => Activate,
    ActivateReturnRoute => ActivateReturn,
    LegalRepRoute => LegalRep,
    LegalRepReturnRoute => LegalRepReturn,
    ReviewsRoute => Reviews,
}
