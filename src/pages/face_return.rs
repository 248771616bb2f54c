//! `/apply/face-return?BizToken=…`: back from the legal representative's own face check at
//! 超管授权.

use leptos::prelude::*;

use crate::components::member_face_return::{MemberFace, MemberFaceReturn};

#[component]
pub fn FaceReturn() -> impl IntoView {
    view! { <MemberFaceReturn face=MemberFace::Authorize/> }
}
