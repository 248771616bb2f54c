//! What a legal representative's SMS link opens (`/legal-rep/<token>` in the app). No session
//! is needed: the token is the key, and who acts is proven by face verification before any
//! decision. Expired, used, withdrawn and replaced links each answer 410 with their reason.

use api::validate::mask_name;
use api::wire::{ErrorBody, LegalRepLinkView, LicenseForm};
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::AppState;
use crate::flow::legal_rep::{LinkRefusal, LINK_TTL_SECS};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(link))
}

/// Who asks to become super admin of which enterprise, for the legal representative to read.
#[utoipa::path(get, path = "/api/legal-rep/{token}", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    responses(
        (status = 200, description = "The request, to authorize or decline", body = LegalRepLinkView),
        (status = 404, description = "No such link (mistyped or truncated)", body = ErrorBody),
        (status = 410, description = "Expired, already used, withdrawn, or replaced by a newer SMS (`code` says which)", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<LegalRepLinkView>, Error> {
    let row = state
        .db
        .legal_rep_request_by_token(&token)
        .await?
        .ok_or_else(|| Error::NotFound("链接无效，请检查短信中的链接是否完整".to_owned()))?;
    row.link.usable(state.clock.now())?;
    // The application ended another way (verified, cancelled): this link has nothing to do.
    let app = state
        .db
        .open_application_by_id(&row.application_id)
        .await?
        .ok_or(LinkRefusal::Used)?;
    let license = app
        .license_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<LicenseForm>(j).ok());
    let applicant = state
        .db
        .member(&app.applicant_id)
        .await?
        .map(|m| m.name)
        .unwrap_or_default();
    Ok(Json(LegalRepLinkView {
        enterprise: license
            .as_ref()
            .map(|l| l.name.value.clone())
            .unwrap_or_default(),
        uscc: license
            .as_ref()
            .map(|l| l.uscc.value.clone())
            .unwrap_or_default(),
        applicant_name: mask_name(&applicant),
        applicant_phone: app.contact_masked,
        expires_at: row.link.sent_at + LINK_TTL_SECS,
    }))
}
