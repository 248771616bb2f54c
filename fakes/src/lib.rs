//! Contract fakes: WeCom's suite API and OAuth, and Tencent Cloud's SMS, OCR and FaceID, as
//! providers.md describes them. Each is an axum router over shared, inspectable state; the
//! `fakes` binary serves them all for the end-to-end suite.

pub mod tencent;
pub mod wecom;
