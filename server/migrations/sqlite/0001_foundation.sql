-- WeCom corps the app is installed in, as the WeCom provider reports them.
CREATE TABLE corps (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    auth_mode  TEXT NOT NULL CHECK (auth_mode IN ('admin', 'member'))
);

-- People who signed in: WeCom members (corp_id set) or e-sign staff (corp_id NULL).
CREATE TABLE members (
    id             TEXT PRIMARY KEY,
    corp_id        TEXT REFERENCES corps(id),
    name           TEXT NOT NULL,
    is_wecom_admin INTEGER NOT NULL DEFAULT 0,
    is_staff       INTEGER NOT NULL DEFAULT 0
);

-- Sessions carried by an HttpOnly cookie; only the token's SHA-256 is stored.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    member_id   TEXT NOT NULL REFERENCES members(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Verification applications, one open per corp. The flow issues extend this table.
CREATE TABLE applications (
    id            TEXT PRIMARY KEY,
    corp_id       TEXT NOT NULL REFERENCES corps(id),
    applicant_id  TEXT NOT NULL REFERENCES members(id),
    state         TEXT NOT NULL,
    -- 'open' while in progress, then 'verified' or 'cancelled'.
    outcome       TEXT NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'verified', 'cancelled')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX one_open_application_per_corp ON applications(corp_id) WHERE outcome = 'open';

-- Everything the local SMS and WeCom providers "sent".
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL CHECK (channel IN ('sms', 'wecom')),
    recipient  TEXT NOT NULL,
    text       TEXT NOT NULL,
    link       TEXT,
    sent_at    INTEGER NOT NULL
);

-- 通知企微管理员, for its per-person rate limit.
CREATE TABLE admin_notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  TEXT NOT NULL REFERENCES members(id),
    sent_at    INTEGER NOT NULL
);
CREATE INDEX admin_notifications_by_member ON admin_notifications(member_id, sent_at);
