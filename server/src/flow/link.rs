//! One-time links carried by SMS: 短信通知法人 (scenario 1, step 4) and the super admin's
//! activation (scenario 2). A link is single-use, expires after 24 hours, and belongs to
//! exactly one request: a newer link supersedes the older, cancelling voids it, and once the
//! person it was sent to acted it is used.

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// The legal representative authorizes (or declines) the applicant as super admin.
    LegalRep,
    /// 短信通知超级管理员: the super admin opens the WeCom-side service.
    ActivationSms,
    /// The applicant is the super admin: the same activation, with no SMS.
    ActivationDirect,
}

impl LinkPurpose {
    pub const ACTIVATION: [LinkPurpose; 2] = [Self::ActivationSms, Self::ActivationDirect];
}

api::sqlx_text_enum!(LinkPurpose {
    LegalRep => "legal_rep",
    ActivationSms => "activation_sms",
    ActivationDirect => "activation_direct",
});

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    Pending,
    Approved,
    Declined,
    Cancelled,
    Superseded,
}

api::sqlx_text_enum!(LinkStatus {
    Pending => "pending",
    Approved => "approved",
    Declined => "declined",
    Cancelled => "cancelled",
    Superseded => "superseded",
});

/// Why a link can no longer be used; each has its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    #[error("链接已过期（有效期24小时），请联系经办人重新发送授权短信")]
    Expired,
    #[error("该授权请求已处理，链接已失效")]
    Used,
    #[error("经办人已取消本次授权请求，链接已失效")]
    Cancelled,
    #[error("经办人已重新发送授权短信，请使用最新短信中的链接")]
    Superseded,
}

/// How long a link works.
pub const LINK_TTL_SECS: i64 = 24 * 3600;
/// How soon the applicant may send another SMS.
pub const RESEND_SECS: i64 = 60;

/// One link as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub status: LinkStatus,
    pub sent_at: i64,
}

impl Link {
    /// May the legal representative act on it now?
    pub fn usable(&self, now: i64) -> Result<(), LinkRefusal> {
        match self.status {
            LinkStatus::Approved | LinkStatus::Declined => Err(LinkRefusal::Used),
            LinkStatus::Cancelled => Err(LinkRefusal::Cancelled),
            LinkStatus::Superseded => Err(LinkRefusal::Superseded),
            LinkStatus::Pending if now - self.sent_at > LINK_TTL_SECS => Err(LinkRefusal::Expired),
            LinkStatus::Pending => Ok(()),
        }
    }

    /// 授权 or 拒绝: the status it moves to.
    pub fn decide(&self, now: i64, approve: bool) -> Result<LinkStatus, LinkRefusal> {
        self.usable(now)?;
        Ok(if approve {
            LinkStatus::Approved
        } else {
            LinkStatus::Declined
        })
    }

    /// The applicant withdraws it; only a pending, unexpired link can be withdrawn.
    pub fn cancel(&self, now: i64) -> Result<LinkStatus, LinkRefusal> {
        self.usable(now)?;
        Ok(LinkStatus::Cancelled)
    }

    /// Seconds before another SMS may go out, if any.
    pub fn resend_wait(&self, now: i64) -> Option<u64> {
        let left = self.sent_at + RESEND_SECS - now;
        (self.status == LinkStatus::Pending && left > 0).then_some(left as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_795_860_000;

    fn pending() -> Link {
        Link {
            status: LinkStatus::Pending,
            sent_at: T0,
        }
    }

    #[test]
    fn a_pending_link_is_decided_once() {
        let link = pending();
        assert_eq!(link.decide(T0 + 10, true), Ok(LinkStatus::Approved));
        assert_eq!(link.decide(T0 + 10, false), Ok(LinkStatus::Declined));
        let used = Link {
            status: LinkStatus::Approved,
            ..link
        };
        assert_eq!(
            used.decide(T0 + 20, true),
            Err(LinkRefusal::Used),
            "approving twice"
        );
        let declined = Link {
            status: LinkStatus::Declined,
            ..link
        };
        assert_eq!(declined.decide(T0 + 20, true), Err(LinkRefusal::Used));
    }

    #[test]
    fn expired_cancelled_and_superseded_links_refuse_with_their_own_reason() {
        let link = pending();
        assert_eq!(
            link.usable(T0 + LINK_TTL_SECS),
            Ok(()),
            "the last second still works"
        );
        assert_eq!(
            link.decide(T0 + LINK_TTL_SECS + 1, true),
            Err(LinkRefusal::Expired)
        );
        let cancelled = Link {
            status: LinkStatus::Cancelled,
            ..link
        };
        assert_eq!(
            cancelled.decide(T0 + 5, true),
            Err(LinkRefusal::Cancelled),
            "authorizing after cancel"
        );
        let old = Link {
            status: LinkStatus::Superseded,
            ..link
        };
        assert_eq!(
            old.decide(T0 + 5, true),
            Err(LinkRefusal::Superseded),
            "only the newest link works"
        );
        for r in [
            LinkRefusal::Expired,
            LinkRefusal::Used,
            LinkRefusal::Cancelled,
            LinkRefusal::Superseded,
        ] {
            assert!(r.to_string().contains("链接"), "{r}");
        }
    }

    #[test]
    fn only_a_live_link_can_be_cancelled_and_resends_wait_a_minute() {
        let link = pending();
        assert_eq!(link.cancel(T0 + 1), Ok(LinkStatus::Cancelled));
        assert_eq!(
            Link {
                status: LinkStatus::Approved,
                ..link
            }
            .cancel(T0 + 1),
            Err(LinkRefusal::Used)
        );
        assert_eq!(link.resend_wait(T0 + 15), Some(45));
        assert_eq!(link.resend_wait(T0 + RESEND_SECS), None);
        assert_eq!(
            Link {
                status: LinkStatus::Cancelled,
                ..link
            }
            .resend_wait(T0 + 1),
            None
        );
    }

    #[test]
    fn statuses_round_trip_through_storage_keys() {
        for s in [
            LinkStatus::Pending,
            LinkStatus::Approved,
            LinkStatus::Declined,
            LinkStatus::Cancelled,
            LinkStatus::Superseded,
        ] {
            assert_eq!(LinkStatus::from_key(s.key()), Some(s));
        }
        assert_eq!(LinkStatus::from_key("nope"), None);
    }
}
