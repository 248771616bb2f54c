//! Health, the OpenAPI document, and JSON 404s under /api.

use std::sync::Arc;

use api::wire::Health;
use axum::{Extension, Json};

use super::error::Error;

/// Ready to serve.
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document of every endpoint",
               content_type = "application/json")))]
pub async fn openapi_json(
    Extension(spec): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*spec).clone())
}

/// Any other path under /api: a JSON 404, never the app's HTML.
pub async fn unknown_api() -> Error {
    Error::NotFound("接口不存在".to_owned())
}

/// A plain 404 for paths that exist only in another mode.
pub async fn not_found() -> axum::http::StatusCode {
    axum::http::StatusCode::NOT_FOUND
}
