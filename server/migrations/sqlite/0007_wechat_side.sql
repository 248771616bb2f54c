-- Scenario 2 (关联微信账户) and the employees of an enterprise opened on the WeChat side.

-- One-time links sent by SMS now serve two purposes: 短信通知法人 (scenario 1) and the super
-- admin's activation (scenario 2; 'activation_direct' when the applicant is the super admin
-- and no SMS goes out). Activation records which agreement version was accepted, and when.
ALTER TABLE legal_rep_requests RENAME TO sms_links;
ALTER TABLE sms_links ADD COLUMN purpose TEXT NOT NULL DEFAULT 'legal_rep'
    CHECK (purpose IN ('legal_rep', 'activation_sms', 'activation_direct'));
ALTER TABLE sms_links ADD COLUMN agreement_version TEXT;
ALTER TABLE sms_links ADD COLUMN accepted_at INTEGER;
-- Failed face checks started from a link: a few, then the link is spent.
ALTER TABLE sms_links ADD COLUMN face_failures INTEGER NOT NULL DEFAULT 0;

-- Which scenario an application follows. 'wechat' applications end 'verified' when the super
-- admin opens the WeCom-side service.
ALTER TABLE applications ADD COLUMN scenario TEXT NOT NULL DEFAULT 'new'
    CHECK (scenario IN ('new', 'wechat'));
-- The super admin who opened a scenario 2 enterprise, as the keyed hash of their ID number:
-- opened from an SMS outside WeCom, no member is known yet; the member whose own real-name
-- verification matches becomes `super_admin_id`.
ALTER TABLE applications ADD COLUMN super_admin_index TEXT;

-- 关联微信账户: the WeChat-side e-sign enterprise an application links to.
CREATE TABLE wechat_links (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    uscc           TEXT NOT NULL,
    enterprise     TEXT NOT NULL,
    linked_at      INTEGER NOT NULL
);
CREATE INDEX wechat_links_by_uscc ON wechat_links(uscc);

-- 邀请企业员工在企业微信使用: one row per SMS. The invited person is matched to a WeCom member
-- by name for the prompt, and by the keyed hash of the ID number when they verify.
CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    corp_id      TEXT NOT NULL REFERENCES corps(id),
    name         TEXT NOT NULL,
    id_index     TEXT NOT NULL,
    phone_index  TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    invited_by   TEXT,
    sent_at      INTEGER NOT NULL
);
CREATE INDEX invitations_by_corp ON invitations(corp_id, name);
CREATE INDEX invitations_by_phone ON invitations(phone_index, sent_at);

-- Failed real-name checks per person, for the daily cap (also outside any application).
CREATE TABLE real_name_failures (
    member_id TEXT NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX real_name_failures_by_member ON real_name_failures(member_id, at);
