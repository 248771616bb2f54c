-- Limits on everything that checks or sends (per link, per IP, per person; issue 10): one row
-- per attempt that was let through. `key` is a link id, a member id, or a keyed hash (ID
-- number, phone, IP), never a raw personal number. Rows older than two days are purged: no
-- window is longer.
CREATE TABLE attempts (
    id    TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX attempts_by_key ON attempts(scope, key, at);
CREATE INDEX attempts_by_age ON attempts(at);
