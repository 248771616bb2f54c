-- 授权书 (institutions): each submission of 1–3 photos of the signed and stamped letter, and
-- its review. A rejected submission stays, with its reason: the history of attempts.
CREATE TABLE letter_submissions (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    upload_ids     TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'in_review' CHECK (status IN ('in_review', 'approved', 'rejected')),
    submitted_at   INTEGER NOT NULL,
    due_date       TEXT NOT NULL,
    reviewer_id    TEXT,
    reason         TEXT,
    reviewed_at    INTEGER
);
CREATE INDEX letter_submissions_queue ON letter_submissions(status, submitted_at);
