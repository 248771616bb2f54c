//! HTTP: the JSON API under `/api`, the local-mode `/dev` pages, and the built app.
//!
//! Every API route is registered through utoipa-axum's `routes!`, so the OpenAPI document at
//! `/api/openapi.json` is generated from the very handlers that serve.

mod activate;
mod apply;
pub mod csrf;
pub mod dev;
mod enterprise;
mod entry;
pub mod error;
pub mod extract;
pub mod headers;
mod legal_rep;
mod meta;
mod ops;
mod person;
pub mod session;
pub mod short_links;
mod static_files;
mod wecom_callback;
mod wecom_entry;
mod wecom_jssdk;
mod wecom_login;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::Method;
use axum::middleware;
use axum::routing::{any, get};
use axum::{Extension, Router};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::clock::Clock;
use crate::crypto::Vault;
use crate::imaging::ImagePool;
use crate::providers::Providers;
use crate::storage::Db;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub providers: Providers,
    pub clock: Arc<dyn Clock>,
    /// Seals personal numbers at rest.
    pub vault: Vault,
    /// Bounds the decoding and recognition of photos.
    pub images: ImagePool,
    pub settings: Arc<Settings>,
}

impl AppState {
    /// What the use cases in [`crate::flow`] work with.
    pub fn ctx(&self) -> crate::flow::Ctx<'_> {
        crate::flow::Ctx {
            db: &self.db,
            providers: &self.providers,
            clock: self.clock.as_ref(),
            vault: &self.vault,
            images: &self.images,
            public_url: self.settings.public_url.as_deref(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Local providers: demo data, outbox, `/dev/*`.
    pub local_mode: bool,
    pub cookie_secure: bool,
    /// Per-address limits trust the last `X-Forwarded-For` hop (set behind a reverse proxy).
    pub trusted_proxy: bool,
    pub static_dir: PathBuf,
    /// Local mode's key file; photo files of earlier versions under `uploads/` (imported at
    /// start).
    pub data_dir: PathBuf,
    /// Real mode: the origins whose pages may send state-changing requests (the public URL's
    /// and the trusted ones), normalized by [`csrf::normalize_origin`]. Local mode trusts the
    /// request's own host instead.
    pub allowed_origins: Vec<String>,
    /// Real WeCom: pages inside WeCom may load WeCom's JS-SDK (`/wecom.js`) for the
    /// open-data names, so the CSP allows its two script hosts and its frames.
    pub wecom_sdk: bool,
    /// `ESIGN_PUBLIC_URL`'s origin, normalized; links leaving the app are built on it.
    pub public_url: Option<String>,
    /// The CSP `frame-ancestors` sources.
    pub frame_ancestors: String,
    /// How often a live event stream sends a heartbeat (and re-reads its timeline):
    /// [`crate::events::HEARTBEAT`]; tests shorten it.
    pub event_heartbeat: std::time::Duration,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "企业认证 API",
        description = "Enterprise e-sign verification inside WeCom: the app's JSON API. \
                       Errors always answer `ErrorBody`."
    ),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "entry", description = "首页: who is here, 通知企微管理员"),
        (name = "apply", description = "The application: 实名认证 → 上传证照 → 联系方式 → 超管授权, or 关联微信账户"),
        (name = "legal-rep", description = "What a legal representative's SMS link opens"),
        (name = "activate", description = "What a super admin's activation link opens (scenario 2)"),
        (name = "enterprise", description = "The verified enterprise: success page, 邀请企业员工"),
        (name = "dev", description = "Local mode only: demo sign-in, outbox, reset")
    )
)]
struct ApiDoc;

/// The API routes and the document that describes exactly them.
pub fn api(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::health))
        .routes(routes!(meta::openapi_json))
        .routes(routes!(entry::session))
        .routes(routes!(entry::notify_admins))
        .routes(routes!(person::verify_me))
        .merge(enterprise::router())
        .merge(activate::router())
        .merge(apply::router())
        .merge(legal_rep::router())
        .merge(ops::router())
        .merge(wecom_jssdk::router());
    if state.settings.local_mode {
        router = router.merge(dev::router());
    }
    let (router, mut spec) = router.split_for_parts();
    document_boundary(&mut spec);
    (router, spec)
}

/// Answers that no handler writes go into the document of every operation that can give them,
/// by the same rules that give them: the CSRF guard's 403 and the uploads' 415 (`csrf.rs`), and
/// the 400 of a path segment or query string that does not decode (`ApiPath`, `ApiQuery`).
fn document_boundary(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in spec.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::POST, &mut item.post),
            (Method::PUT, &mut item.put),
            (Method::PATCH, &mut item.patch),
            (Method::DELETE, &mut item.delete),
        ];
        for (method, op) in operations {
            let Some(op) = op.as_mut() else { continue };
            let takes_params = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query));
            let responses = &mut op.responses.responses;
            if takes_params {
                responses.entry("400".to_owned()).or_insert_with(|| {
                    error("A path segment or query parameter that is missing or does not decode")
                        .into()
                });
            }
            if !csrf::guarded(&method, path) {
                continue;
            }
            responses.entry("403".to_owned()).or_insert_with(|| {
                error("Not sent from the app's own pages (no same-origin `Origin` or `Sec-Fetch-Site`)").into()
            });
            if method == Method::POST && csrf::PHOTO_PATHS.contains(&path.as_str()) {
                responses
                    .entry("415".to_owned())
                    .or_insert_with(|| error("Not `image/jpeg` or `image/png`").into());
            }
        }
    }
}

pub fn router(state: AppState) -> Router {
    let (api, spec) = api(&state);
    let static_dir = state.settings.static_dir.clone();
    let guard = Arc::new(csrf::Guard::new(&state.settings));
    let security_headers = Arc::new(headers::SecurityHeaders::new(&state.settings));
    let mut router = Router::new()
        .merge(api)
        .merge(short_links::router())
        .route("/api/{*rest}", any(meta::unknown_api))
        .route(
            "/wecom/callback",
            get(wecom_callback::verify_url).post(wecom_callback::receive),
        )
        .route("/auth/wecom/login", get(wecom_login::login))
        .route("/auth/wecom/callback", get(wecom_login::callback));
    if !state.settings.local_mode {
        // The developer endpoints do not exist with real providers: 404, not the app's HTML.
        router = router.route("/dev/{*rest}", any(meta::not_found));
    }
    router
        .fallback_service(
            static_files::service(&static_dir).layer(middleware::from_fn_with_state(
                state.clone(),
                wecom_entry::sign_in_first,
            )),
        )
        .layer(Extension(Arc::new(spec)))
        .layer(middleware::from_fn_with_state(guard, csrf::check))
        // Outside the guard, so that its refusals carry the headers too.
        .layer(middleware::from_fn_with_state(
            security_headers,
            headers::apply,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
