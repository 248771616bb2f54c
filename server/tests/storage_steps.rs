//! The use cases' writes are all or nothing: a step refused in its transaction leaves no row
//! and no event behind. And the application page's snapshot reads the newest of everything.

use api::wire::{ApplyStep, AuthMode};
use server::flow::link::{LinkPurpose, LinkStatus};
use server::storage::{
    ContactConfirmed, CorpRow, Db, Event, MemberRow, NewLink, NewSmsCode, NewVerifiedPerson,
};

const NOW: i64 = 1_795_860_000;

async fn db() -> (Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "esign-steps-{}-{}",
        std::process::id(),
        server::storage::new_id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    db.upsert_corp(&CorpRow {
        id: "corp".to_owned(),
        name: "星河云图".to_owned(),
        auth_mode: AuthMode::Admin,
    })
    .await
    .unwrap();
    for id in ["zhangwei", "lina"] {
        db.upsert_member(&MemberRow {
            id: id.to_owned(),
            corp_id: Some("corp".to_owned()),
            name: id.to_owned(),
            is_wecom_admin: true,
            is_staff: false,
            admin_checked_at: Some(NOW),
        })
        .await
        .unwrap();
    }
    (db, dir)
}

fn event(kind: &str) -> Event<'_> {
    Event {
        actor_id: Some("zhangwei"),
        kind,
        detail: None,
    }
}

async fn kinds(db: &Db, app_id: &str) -> Vec<String> {
    db.events(app_id)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _, _)| k)
        .collect()
}

async fn code(db: &Db) -> i64 {
    let new = NewSmsCode {
        member_id: "zhangwei",
        phone_index: "phone",
        code_hash: "hash",
        ttl_secs: 300,
    };
    db.insert_sms_code_if(&new, NOW, NOW - 3600, &[], |_| Ok::<(), ()>(()))
        .await
        .unwrap()
        .unwrap();
    db.latest_sms_code("zhangwei").await.unwrap().unwrap().id
}

#[tokio::test]
async fn a_step_on_a_withdrawn_application_writes_nothing() {
    let (db, dir) = db().await;
    let (app, created) = db
        .open_application_for("corp", "zhangwei", ApplyStep::License, NOW)
        .await
        .unwrap();
    assert!(created);
    assert!(db
        .end_application(&app.id, event("withdrawn"), NOW)
        .await
        .unwrap());
    let moved = db
        .advance(
            &app.id,
            Some(ApplyStep::Contact),
            event("license_confirmed"),
            NOW,
        )
        .await
        .unwrap();
    assert!(!moved);
    assert_eq!(kinds(&db, &app.id).await, ["started", "withdrawn"]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_contact_confirmed_too_late_keeps_the_code_and_saves_no_number() {
    let (db, dir) = db().await;
    let (app, _) = db
        .open_application_for("corp", "zhangwei", ApplyStep::Contact, NOW)
        .await
        .unwrap();
    let id = code(&db).await;
    db.end_application(&app.id, event("withdrawn"), NOW)
        .await
        .unwrap();
    let done = db
        .confirm_contact(
            id,
            &app.id,
            "sealed",
            "139****0001",
            Some(ApplyStep::Authorize),
            event("contact_verified"),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(done, ContactConfirmed::Closed);
    let sent = db.latest_sms_code("zhangwei").await.unwrap().unwrap();
    assert!(sent.live, "the refused transaction did not use the code");
    assert!(!kinds(&db, &app.id)
        .await
        .contains(&"contact_verified".to_owned()));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_code_is_used_once_even_by_two_confirmations_at_once() {
    let (db, dir) = db().await;
    let (app, _) = db
        .open_application_for("corp", "zhangwei", ApplyStep::Contact, NOW)
        .await
        .unwrap();
    let id = code(&db).await;
    let confirm = || {
        db.confirm_contact(
            id,
            &app.id,
            "sealed",
            "139****0001",
            Some(ApplyStep::Authorize),
            event("contact_verified"),
            NOW,
        )
    };
    let (a, b) = tokio::join!(confirm(), confirm());
    let mut outcomes = [a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|o| *o != ContactConfirmed::Done);
    assert_eq!(
        outcomes,
        [ContactConfirmed::Done, ContactConfirmed::CodeSpent]
    );
    let events = kinds(&db, &app.id).await;
    assert_eq!(
        events.iter().filter(|k| *k == "contact_verified").count(),
        1
    );
    let now = db.open_application("corp").await.unwrap().unwrap();
    assert_eq!(now.step, ApplyStep::Authorize);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_takeover_of_an_application_that_moved_on_opens_nothing() {
    let (db, dir) = db().await;
    let (old, _) = db
        .open_application_for("corp", "zhangwei", ApplyStep::License, NOW)
        .await
        .unwrap();
    db.end_application(&old.id, event("withdrawn"), NOW)
        .await
        .unwrap();
    let taken = db
        .take_over(
            &old.id,
            event("taken_over"),
            "corp",
            "lina",
            ApplyStep::License,
            NOW,
        )
        .await
        .unwrap();
    assert!(taken.is_none());
    assert!(db.open_application("corp").await.unwrap().is_none());
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn only_one_of_two_letters_submitted_at_once_goes_in_review() {
    let (db, dir) = db().await;
    let (app, _) = db
        .open_application_for("corp", "zhangwei", ApplyStep::Authorize, NOW)
        .await
        .unwrap();
    let ids = vec!["photo".to_owned()];
    let submit = || {
        db.submit_letter(
            &app.id,
            &ids,
            "2026-12-02",
            "12330106MB1234567X",
            event("letter_submitted"),
            NOW,
        )
    };
    let (a, b) = tokio::join!(submit(), submit());
    let submitted = [a.unwrap(), b.unwrap()];
    assert_eq!(submitted.iter().filter(|l| l.is_some()).count(), 1);
    assert_eq!(db.letters(&app.id).await.unwrap().len(), 1);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_snapshot_reads_the_newest_of_everything_in_one_go() {
    let (db, dir) = db().await;
    let (app, _) = db
        .open_application_for("corp", "zhangwei", ApplyStep::Authorize, NOW)
        .await
        .unwrap();
    db.save_real_name(
        &NewVerifiedPerson {
            identity: "zhangwei",
            name: "张伟",
            id_index: "index",
            id_sealed: "sealed",
            id_masked: "3301**********0410",
        },
        None,
        NOW,
    )
    .await
    .unwrap();
    code(&db).await;
    // Two links in the same second: the second supersedes the first.
    for phone in ["138****0001", "138****0002"] {
        let link = NewLink {
            application_id: &app.id,
            purpose: LinkPurpose::LegalRep,
            token: phone,
            phone_sealed: "sealed",
            phone_masked: phone,
            subject_uscc: "91330106MA2KX7Q890",
        };
        db.insert_link(&link, NOW).await.unwrap();
    }
    let s = db
        .application_snapshot("corp", "zhangwei")
        .await
        .unwrap()
        .expect("the corp");
    assert_eq!(s.app.as_ref().map(|a| a.id.as_str()), Some(app.id.as_str()));
    assert_eq!(s.applicant_name, "zhangwei");
    let link = s.legal_rep_link.expect("the newest link");
    assert_eq!(link.phone_masked, "138****0002");
    assert_eq!(link.link.status, LinkStatus::Pending);
    assert_eq!(s.code_sent_at, Some(NOW));
    assert_eq!(
        s.person.map(|(p, sealed)| (p.name, sealed)),
        Some(("张伟".to_owned(), "sealed".to_owned()))
    );
    assert!(s.letter.is_none() && s.activation_link.is_none() && s.wechat_uscc.is_none());

    let other = db
        .application_snapshot("corp", "lina")
        .await
        .unwrap()
        .unwrap();
    assert!(other.person.is_none(), "the caller's own verification only");
    assert_eq!(other.code_sent_at, None);
    std::fs::remove_dir_all(dir).ok();
}
