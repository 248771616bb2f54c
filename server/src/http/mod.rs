//! HTTP: the JSON API under `/api`, the local-mode `/dev` pages, and the built app.
//!
//! Every API route is registered through utoipa-axum's `routes!`, so the OpenAPI document at
//! `/api/openapi.json` is generated from the very handlers that serve.

mod activate;
mod apply;
pub mod dev;
mod enterprise;
mod entry;
pub mod error;
pub mod extract;
mod face_sim;
mod legal_rep;
mod links;
mod meta;
mod ops;
mod person;
mod static_files;

use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::any;
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

#[derive(Debug, Clone)]
pub struct Settings {
    /// Local providers: demo data, outbox, `/dev/*`.
    pub local_mode: bool,
    pub cookie_secure: bool,
    pub static_dir: PathBuf,
    /// Uploads live under `<data_dir>/uploads`.
    pub data_dir: PathBuf,
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
        .merge(ops::router());
    if state.settings.local_mode {
        router = router.merge(dev::router()).merge(face_sim::router());
    }
    router.split_for_parts()
}

pub fn router(state: AppState) -> Router {
    let (api, spec) = api(&state);
    let static_dir = state.settings.static_dir.clone();
    let mut router = Router::new()
        .merge(api)
        .route("/api/{*rest}", any(meta::unknown_api));
    if !state.settings.local_mode {
        // The developer endpoints do not exist with real providers: 404, not the app's HTML.
        router = router.route("/dev/{*rest}", any(meta::not_found));
    }
    router
        .fallback_service(static_files::service(&static_dir))
        .layer(Extension(Arc::new(spec)))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
