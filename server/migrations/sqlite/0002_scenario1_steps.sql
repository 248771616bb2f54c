-- People who passed the real-name check, keyed by the identity that spans corps (the member id:
-- WeCom's open_userid in real mode, the demo user id locally), so that verification belongs to
-- the person, not to one corp's membership. ID numbers only sealed (AES-GCM) and keyed-hashed.
CREATE TABLE verified_persons (
    identity     TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    id_index     TEXT NOT NULL,
    id_sealed    TEXT NOT NULL,
    id_masked    TEXT NOT NULL,
    verified_at  INTEGER NOT NULL
);
CREATE INDEX verified_persons_by_id ON verified_persons(id_index);

-- What each step confirmed. The license JSON holds no personal numbers; the contact phone is
-- sealed, with a masked copy for display.
ALTER TABLE applications ADD COLUMN license_json TEXT;
ALTER TABLE applications ADD COLUMN contact_sealed TEXT;
ALTER TABLE applications ADD COLUMN contact_masked TEXT;
ALTER TABLE applications ADD COLUMN contact_verified_at INTEGER;

-- Uploaded photos (files under <data dir>/uploads) and what recognition read from them.
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    kind            TEXT NOT NULL CHECK (kind IN ('license', 'letter')),
    file_name       TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    recognized_json TEXT,
    created_at      INTEGER NOT NULL
);

-- SMS verification codes: only a keyed hash of each code is kept.
CREATE TABLE sms_codes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id    TEXT NOT NULL REFERENCES members(id),
    phone_index  TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    sent_at      INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- 'live' until used, voided by too many wrong tries, or replaced by a newer code.
    status       TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'used', 'void', 'replaced'))
);
CREATE INDEX sms_codes_by_member ON sms_codes(member_id, sent_at);
CREATE INDEX sms_codes_by_phone ON sms_codes(phone_index, sent_at);

-- The timeline: every transition appends who, when, what, with masked details only.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    actor_id        TEXT,
    kind            TEXT NOT NULL,
    detail          TEXT,
    at              INTEGER NOT NULL
);
CREATE INDEX events_by_application ON events(application_id, id);
