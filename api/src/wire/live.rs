//! What `GET /api/application/events` streams: wake-ups, never the view itself. A page that
//! gets one asks `GET /api/application` again, so that one code path builds what it shows.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The SSE `event:` name of a new timeline event.
pub const TIMELINE_EVENT: &str = "timeline";
/// The SSE `event:` name of the first message of every stream: it proves that messages get
/// through (a buffering proxy lets the headers pass and holds the body), and its `id:` is where
/// a reconnect resumes.
pub const READY_EVENT: &str = "ready";

/// The `data:` of a stream message. `timeline`: the event's id and kind. `ready`: the id the
/// stream resumes after, and no kind. No personal data either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LiveNotice {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One message of the stream, as OpenAPI 3.2 describes server-sent events (`event`, `id`,
/// `data`, `retry` fields). For the documentation only: the server writes the text format.
#[cfg(feature = "openapi")]
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveMessage {
    /// `ready` or `timeline`.
    pub event: String,
    /// The event id (decimal): where a reconnect resumes, sent back as `Last-Event-ID`.
    pub id: String,
    /// A [`LiveNotice`] as JSON.
    pub data: String,
    /// Milliseconds before the browser reconnects a dropped stream (on `ready`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<u64>,
}
