-- 短信通知法人: the links sent to the legal representative. Only the newest pending one per
-- application works (older ones are marked superseded); the token is stored hashed, the phone
-- sealed with a masked copy for display.
CREATE TABLE legal_rep_requests (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    token_hash     TEXT NOT NULL UNIQUE,
    phone_sealed   TEXT NOT NULL,
    phone_masked   TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'superseded')),
    sent_at        INTEGER NOT NULL,
    acted_at       INTEGER
);
CREATE INDEX legal_rep_requests_by_application ON legal_rep_requests(application_id, sent_at);
