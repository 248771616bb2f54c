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
