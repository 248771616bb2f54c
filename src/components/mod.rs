//! Widgets shared by the views.

pub mod application_actions;
pub mod auth_lost;
pub mod back_stack;
pub mod capture;
pub mod corp_card;
pub mod dialog;
pub mod error_state;
pub mod form;
pub mod home_intro;
pub mod identity_form;
pub mod letter;
pub mod link_page;
pub mod loading;
pub mod member_face_return;
pub mod member_name;
pub mod navbar;
pub mod notify_legal_rep;
pub mod poll;
pub mod sms_countdown;
pub mod step_frame;
pub mod steps;
pub mod toast;
