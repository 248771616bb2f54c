//! Limits on everything that checks or sends: the real-name checks and face sessions reached
//! from SMS links (no session needed there, so the link, the address and the person tried are
//! what can be counted), the applicant's own face sessions, codes and SMS sent, and
//! `/api/me/real-name`. Every rule is counted atomically ([`crate::storage::Db::take`]) before
//! any provider is called, counts refused attempts too, and answers 429 with `Retry-After` and
//! a Chinese message that says how long.

use super::error::wait_text;
use super::link::LINK_TTL_SECS;
use super::{Ctx, Error};
use crate::clock::china_day;
use crate::storage::{Blocked, Limit, LinkRow, Refused, Window};

/// Real-name checks one SMS link allows. The legal representative who mistypes still gets
/// through; whoever else holds the link gets a few answers, not an ID-lookup oracle. A new SMS
/// brings a new link.
pub const LINK_CHECKS_PER_LINK: i64 = 5;
/// Real-name checks from links, per address and day: one person rarely needs more than one
/// link's worth; an attacker going from link to link is stopped here.
pub const LINK_CHECKS_PER_IP_PER_DAY: i64 = 20;
/// Real-name checks from links of one ID number a day: guessing the name that goes with a
/// number is stopped whatever the link or the address.
pub const LINK_CHECKS_PER_PERSON_PER_DAY: i64 = 5;
/// Face sessions started from one link. Each is billed by the face service; a link already
/// ends after 5 failed checks, and a session abandoned unfinished counts the same.
pub const LINK_FACE_SESSIONS_PER_LINK: i64 = 5;
pub const LINK_FACE_SESSIONS_PER_IP_PER_DAY: i64 = 20;
/// Face sessions for one person a day, from any link: twice what one link allows, for a
/// person who was sent a second link.
pub const LINK_FACE_SESSIONS_PER_PERSON_PER_DAY: i64 = 10;
/// The applicant's own face sessions a day (besides the 5 failures a day): sessions started
/// and never finished are billed too.
pub const APPLICANT_FACE_SESSIONS_PER_DAY: i64 = 10;
/// `/api/me/real-name` calls per address and day, whoever is signed in: each may reach the
/// real-name service, and accounts are cheaper than addresses.
pub const REAL_NAME_CHECKS_PER_IP_PER_DAY: i64 = 20;
/// Verification codes per address and day, whoever asks (per member 10 and per phone 5 stay).
pub const CODES_PER_IP_PER_DAY: i64 = 20;
/// SMS links (法人, 超级管理员) per address and day (per application 10 each stay).
pub const LINK_SMS_PER_IP_PER_DAY: i64 = 20;

/// Limits with the refusal each answers, in the order they are checked.
pub struct Rules {
    limits: Vec<Limit>,
    says: Vec<&'static str>,
}

impl Rules {
    fn new() -> Self {
        Self {
            limits: Vec::new(),
            says: Vec::new(),
        }
    }

    /// `says` is the refusal; `{wait}` in it becomes how long, the way people say it.
    fn with(
        mut self,
        scope: &'static str,
        key: String,
        max: i64,
        window: Window,
        says: &'static str,
    ) -> Self {
        self.limits.push(Limit {
            scope,
            key,
            max,
            window,
        });
        self.says.push(says);
        self
    }

    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    pub fn refusal(&self, r: Refused) -> Error {
        let says = self
            .says
            .get(r.index)
            .copied()
            .unwrap_or("操作过于频繁，请{wait}后再试");
        Error::RateLimited {
            message: says.replace("{wait}", &wait_text(r.retry_after_secs)),
            retry_after_secs: r.retry_after_secs,
        }
    }

    /// The error for a guarded write that did not happen.
    pub fn blocked(&self, b: Blocked<Error>) -> Error {
        match b {
            Blocked::By(e) => e,
            Blocked::Limit(r) => self.refusal(r),
        }
    }

    /// Counts one attempt under every rule, or refuses with the first that has no room.
    pub async fn take(&self, cx: &Ctx<'_>) -> Result<(), Error> {
        cx.db
            .take(&self.limits, cx.clock.now())
            .await?
            .map_err(|r| self.refusal(r))
    }
}

/// Today in China: daily caps reset at midnight there.
fn today(cx: &Ctx<'_>) -> Window {
    let (start, _) = china_day(cx.clock.now());
    Window::Fixed {
        start,
        end: start + 86_400,
    }
}

/// A link's counts last as long as the link.
fn link_life(row: &LinkRow) -> Window {
    Window::Fixed {
        start: row.link.sent_at,
        end: row.link.sent_at + LINK_TTL_SECS,
    }
}

fn ip_key(cx: &Ctx<'_>, ip: &str) -> String {
    cx.vault.blind_index(&format!("ip:{ip}"))
}

/// A person tried, by the keyed hash of their ID number (never the number itself).
fn person_key(cx: &Ctx<'_>, id_number: &str) -> String {
    cx.vault.blind_index(id_number)
}

/// Before a real-name check reached from a link, with the ID number about to be tried.
pub async fn link_identity_check(
    cx: &Ctx<'_>,
    row: &LinkRow,
    ip: &str,
    id_number: &str,
) -> Result<(), Error> {
    Rules::new()
        .with(
            "link_check.link",
            row.id.clone(),
            LINK_CHECKS_PER_LINK,
            link_life(row),
            "此链接的身份核验次数已达上限，请联系经办人重新发送短信",
        )
        .with(
            "link_check.ip",
            ip_key(cx, ip),
            LINK_CHECKS_PER_IP_PER_DAY,
            today(cx),
            "当前网络今日身份核验次数过多，请{wait}后再试",
        )
        .with(
            "link_check.person",
            person_key(cx, id_number),
            LINK_CHECKS_PER_PERSON_PER_DAY,
            today(cx),
            "该身份证号今日核验次数过多，请{wait}后再试",
        )
        .take(cx)
        .await
}

/// Before a face session is started from a link, for the person it will verify.
pub async fn link_face_session(
    cx: &Ctx<'_>,
    row: &LinkRow,
    ip: &str,
    id_number: &str,
) -> Result<(), Error> {
    Rules::new()
        .with(
            "link_face.link",
            row.id.clone(),
            LINK_FACE_SESSIONS_PER_LINK,
            link_life(row),
            "此链接发起人脸识别的次数已达上限，请联系经办人重新发送短信",
        )
        .with(
            "link_face.ip",
            ip_key(cx, ip),
            LINK_FACE_SESSIONS_PER_IP_PER_DAY,
            today(cx),
            "当前网络今日发起人脸识别次数过多，请{wait}后再试",
        )
        .with(
            "link_face.person",
            person_key(cx, id_number),
            LINK_FACE_SESSIONS_PER_PERSON_PER_DAY,
            today(cx),
            "该身份今日发起人脸识别次数过多，请{wait}后再试",
        )
        .take(cx)
        .await
}

/// Before the applicant's own face session (超管授权, path 1).
pub async fn applicant_face_session(cx: &Ctx<'_>, member_id: &str) -> Result<(), Error> {
    Rules::new()
        .with(
            "applicant_face.member",
            member_id.to_owned(),
            APPLICANT_FACE_SESSIONS_PER_DAY,
            today(cx),
            "今日发起人脸识别次数过多，请{wait}后再试",
        )
        .take(cx)
        .await
}

/// Before `/api/me/real-name` does anything.
pub async fn real_name_check(cx: &Ctx<'_>, ip: &str) -> Result<(), Error> {
    Rules::new()
        .with(
            "me_real_name.ip",
            ip_key(cx, ip),
            REAL_NAME_CHECKS_PER_IP_PER_DAY,
            today(cx),
            "当前网络今日实名认证次数过多，请{wait}后再试",
        )
        .take(cx)
        .await
}

/// Counted with a verification code, in the transaction that stores it.
pub fn code_sends(cx: &Ctx<'_>, ip: &str) -> Rules {
    Rules::new().with(
        "code.ip",
        ip_key(cx, ip),
        CODES_PER_IP_PER_DAY,
        today(cx),
        "当前网络今日获取验证码次数过多，请{wait}后再试",
    )
}

/// Counted with an SMS link, in the transaction that stores it.
pub fn link_sms_sends(cx: &Ctx<'_>, ip: &str) -> Rules {
    Rules::new().with(
        "link_sms.ip",
        ip_key(cx, ip),
        LINK_SMS_PER_IP_PER_DAY,
        today(cx),
        "当前网络今日发送短信次数过多，请{wait}后再试",
    )
}

/// Wrong short codes (`/s`) per address and hour: a person mistyping the code from an SMS
/// gets several tries; guessing a 12-character code at this rate is hopeless.
pub const SHORT_CODE_MISSES_PER_IP_PER_HOUR: i64 = 10;

/// Counted before a short code is looked up (so that tries at once cannot all pass), and
/// given back when the code opened something: only wrong codes use up the hour's room.
pub fn short_code_tries(cx: &Ctx<'_>, ip: &str) -> Rules {
    Rules::new().with(
        "short_code.ip",
        ip_key(cx, ip),
        SHORT_CODE_MISSES_PER_IP_PER_HOUR,
        Window::Rolling(3600),
        "授权码错误次数过多，请{wait}后再试",
    )
}
