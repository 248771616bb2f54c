//! `/enterprise/face-return?BizToken=…`: back from the face check with which a super admin who
//! opened the service outside WeCom proves, here, that they are that person.

use leptos::prelude::*;

use crate::components::member_face_return::{MemberFace, MemberFaceReturn};

#[component]
pub fn ClaimReturn() -> impl IntoView {
    view! { <MemberFaceReturn face=MemberFace::Claim/> }
}
