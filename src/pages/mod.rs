//! One routed view per file.

pub mod activate;
pub mod activate_return;
pub mod apply_start;
pub mod authorize;
pub mod claim_return;
pub mod contact;
pub mod done;
pub mod face_return;
pub mod home;
pub mod legal_rep;
pub mod legal_rep_return;
pub mod license;
pub mod materials;
pub mod my_real_name;
pub mod not_found;
pub mod real_name;
pub mod reviews;
pub mod wechat;
