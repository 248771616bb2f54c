//! Everything `GET /api/application` shows, read in one round trip: the corp, its open
//! application and applicant, the caller's real-name verification, their newest SMS code, the
//! newest 法人 and activation links, the newest letter and how many, the linked WeChat-side
//! enterprise. The waiting pages poll it; `flow::view` maps it to the page.

use std::sync::LazyLock;

use api::wire::{ApplyStep, AuthMode, Scenario};

use super::{ApplicationRow, CorpRow, Db, LetterState, Result, VerifiedPerson};
use crate::flow::link::{Link, LinkStatus};

/// What the page shows of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSummary {
    pub phone_masked: String,
    pub link: Link,
}

/// What the page shows of the newest letter, and how many were submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterSummary {
    /// In review, approved or rejected (withdrawn letters are left out).
    pub status: LetterState,
    pub submitted_at: i64,
    pub due_date: String,
    pub reason: Option<String>,
    pub attempts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationSnapshot {
    pub corp: CorpRow,
    /// The corp's open application, whoever started it.
    pub app: Option<ApplicationRow>,
    /// Its applicant's name.
    pub applicant_name: String,
    /// The caller's verification, with the sealed ID number (opened only to compare).
    pub person: Option<(VerifiedPerson, String)>,
    /// When the caller's newest SMS code went out.
    pub code_sent_at: Option<i64>,
    pub legal_rep_link: Option<LinkSummary>,
    /// 短信通知超级管理员's newest link (scenario 2).
    pub activation_link: Option<LinkSummary>,
    pub letter: Option<LetterSummary>,
    /// The WeChat-side enterprise the application links (scenario 2).
    pub wechat_uscc: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    corp_id: String,
    corp_name: String,
    auth_mode: AuthMode,
    app_id: Option<String>,
    applicant_id: Option<String>,
    state: Option<ApplyStep>,
    license_json: Option<String>,
    contact_masked: Option<String>,
    contact_verified_at: Option<i64>,
    created_at: Option<i64>,
    scenario: Option<Scenario>,
    uscc: Option<String>,
    registry_legal_rep: Option<String>,
    applicant_name: Option<String>,
    person_name: Option<String>,
    person_id_masked: Option<String>,
    person_verified_at: Option<i64>,
    person_id_sealed: Option<String>,
    code_sent_at: Option<i64>,
    lr_phone_masked: Option<String>,
    lr_status: Option<LinkStatus>,
    lr_sent_at: Option<i64>,
    ac_phone_masked: Option<String>,
    ac_status: Option<LinkStatus>,
    ac_sent_at: Option<i64>,
    lt_status: Option<LetterState>,
    lt_submitted_at: Option<i64>,
    lt_due_date: Option<String>,
    lt_reason: Option<String>,
    letters: i64,
    wechat_uscc: Option<String>,
}

/// The newest link of a purpose. Within one second, a pending link is newer than a settled
/// one, and a superseded one is older than any (a new link supersedes the pending ones).
const LATEST_LINK: &str =
    "SELECT l.id FROM sms_links l WHERE l.application_id = a.id AND l.purpose = {purpose}
     ORDER BY l.sent_at DESC,
              CASE l.status WHEN 'pending' THEN 0 WHEN 'superseded' THEN 2 ELSE 1 END
     LIMIT 1";

/// Built once: the two link subqueries differ only in their purpose.
static QUERY: LazyLock<String> = LazyLock::new(|| {
    let legal_rep = LATEST_LINK.replace("{purpose}", "'legal_rep'");
    let activation = LATEST_LINK.replace("{purpose}", "'activation_sms'");
    // Within one second a letter in review (or approved) is newer than a rejected one: the
    // applicant resubmits only after a rejection.
    format!(
        "SELECT c.id AS corp_id, c.name AS corp_name, c.auth_mode,
            a.id AS app_id, a.applicant_id, a.state, a.license_json, a.contact_masked,
            a.contact_verified_at, a.created_at, a.scenario, a.uscc, a.registry_legal_rep,
            m.name AS applicant_name,
            p.name AS person_name, p.id_masked AS person_id_masked,
            p.verified_at AS person_verified_at, p.id_sealed AS person_id_sealed,
            (SELECT MAX(s.sent_at) FROM sms_codes s WHERE s.member_id = $2) AS code_sent_at,
            lr.phone_masked AS lr_phone_masked, lr.status AS lr_status, lr.sent_at AS lr_sent_at,
            ac.phone_masked AS ac_phone_masked, ac.status AS ac_status, ac.sent_at AS ac_sent_at,
            lt.status AS lt_status, lt.submitted_at AS lt_submitted_at,
            lt.due_date AS lt_due_date, lt.reason AS lt_reason,
            (SELECT COUNT(*) FROM letter_submissions x
             WHERE x.application_id = a.id AND x.status <> 'withdrawn') AS letters,
            w.uscc AS wechat_uscc
         FROM corps c
         LEFT JOIN applications a ON a.corp_id = c.id AND a.outcome = 'open'
         LEFT JOIN members m ON m.id = a.applicant_id
         LEFT JOIN verified_persons p ON p.identity = $2
         LEFT JOIN sms_links lr ON lr.id = ({legal_rep})
         LEFT JOIN sms_links ac ON ac.id = ({activation})
         LEFT JOIN letter_submissions lt ON lt.id = (
             SELECT y.id FROM letter_submissions y
             WHERE y.application_id = a.id AND y.status <> 'withdrawn'
             ORDER BY y.submitted_at DESC, CASE y.status WHEN 'rejected' THEN 1 ELSE 0 END
             LIMIT 1)
         LEFT JOIN wechat_links w ON w.application_id = a.id
         WHERE c.id = $1"
    )
});

fn link(
    phone_masked: Option<String>,
    status: Option<LinkStatus>,
    sent_at: Option<i64>,
) -> Option<LinkSummary> {
    Some(LinkSummary {
        phone_masked: phone_masked?,
        link: Link {
            status: status?,
            sent_at: sent_at?,
        },
    })
}

impl From<(Row, &str)> for ApplicationSnapshot {
    fn from((r, member_id): (Row, &str)) -> Self {
        let app = match (r.app_id, r.applicant_id, r.created_at, r.state) {
            (Some(id), Some(applicant_id), Some(created_at), Some(step)) => Some(ApplicationRow {
                id,
                corp_id: r.corp_id.clone(),
                applicant_id,
                step,
                license_json: r.license_json,
                contact_masked: r.contact_masked,
                contact_verified_at: r.contact_verified_at,
                created_at,
                scenario: r.scenario.unwrap_or_default(),
                uscc: r.uscc,
                registry_legal_rep: r.registry_legal_rep,
            }),
            _ => None,
        };
        let person = match (
            r.person_name,
            r.person_id_masked,
            r.person_verified_at,
            r.person_id_sealed,
        ) {
            (Some(name), Some(id_masked), Some(verified_at), Some(sealed)) => Some((
                VerifiedPerson {
                    identity: member_id.to_owned(),
                    name,
                    id_masked,
                    verified_at,
                },
                sealed,
            )),
            _ => None,
        };
        let letter = match (r.lt_status, r.lt_submitted_at, r.lt_due_date) {
            (Some(status), Some(submitted_at), Some(due_date)) => Some(LetterSummary {
                status,
                submitted_at,
                due_date,
                reason: r.lt_reason,
                attempts: r.letters,
            }),
            _ => None,
        };
        ApplicationSnapshot {
            corp: CorpRow {
                id: r.corp_id,
                name: r.corp_name,
                auth_mode: r.auth_mode,
            },
            app,
            applicant_name: r.applicant_name.unwrap_or_default(),
            person,
            code_sent_at: r.code_sent_at,
            legal_rep_link: link(r.lr_phone_masked, r.lr_status, r.lr_sent_at),
            activation_link: link(r.ac_phone_masked, r.ac_status, r.ac_sent_at),
            letter,
            wechat_uscc: r.wechat_uscc,
        }
    }
}

impl Db {
    /// The corp's application as `member_id` sees it, in one query; `None` for no such corp.
    pub async fn application_snapshot(
        &self,
        corp_id: &str,
        member_id: &str,
    ) -> Result<Option<ApplicationSnapshot>> {
        let row: Option<Row> = sqlx::query_as(QUERY.as_str())
            .bind(corp_id)
            .bind(member_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| (r, member_id).into()))
    }
}
