-- Integrity: the registry decides, one enterprise is verified once, and every final step
-- re-checks what it was started for.

-- The enterprise an application stands for: scenario 1 holds its USCC from the confirmed
-- license on; scenario 2 only once the WeChat-side super admin confirmed (until then a link
-- blocks nobody). One open or verified application per USCC.
ALTER TABLE applications ADD COLUMN uscc TEXT;
-- What the enterprise registry answered for that USCC: the authorization path follows the
-- registered legal representative, never a typed field.
ALTER TABLE applications ADD COLUMN registry_legal_rep TEXT;
CREATE UNIQUE INDEX one_application_per_uscc ON applications(uscc)
    WHERE uscc IS NOT NULL AND outcome IN ('open', 'verified');

-- The USCC each pending step was started for (the license's, or the linked WeChat-side
-- enterprise's), and the session that started its face check (NULL: opened without one).
ALTER TABLE sms_links ADD COLUMN subject_uscc TEXT;
ALTER TABLE sms_links ADD COLUMN face_session TEXT;
ALTER TABLE face_checks ADD COLUMN subject_uscc TEXT;
ALTER TABLE face_checks ADD COLUMN session_hash TEXT;
-- 'authorize': the legal representative's own face at 超管授权; 'claim': a super admin who
-- opened from outside WeCom proving, in WeCom, that they are that person.
ALTER TABLE face_checks ADD COLUMN purpose TEXT NOT NULL DEFAULT 'authorize'
    CHECK (purpose IN ('authorize', 'claim'));

-- Letters gain 'withdrawn' (the applicant switched path or withdrew) and the USCC they were
-- submitted for. SQLite cannot alter a CHECK: the table is rebuilt.
CREATE TABLE letter_submissions_v2 (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    upload_ids     TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'in_review'
                   CHECK (status IN ('in_review', 'approved', 'rejected', 'withdrawn')),
    submitted_at   BIGINT NOT NULL,
    due_date       TEXT NOT NULL,
    reviewer_id    TEXT,
    reason         TEXT,
    reviewed_at    BIGINT,
    subject_uscc   TEXT
);
INSERT INTO letter_submissions_v2
    (id, application_id, upload_ids, status, submitted_at, due_date, reviewer_id, reason, reviewed_at)
    SELECT id, application_id, upload_ids, status, submitted_at, due_date, reviewer_id, reason, reviewed_at
    FROM letter_submissions;
DROP TABLE letter_submissions;
ALTER TABLE letter_submissions_v2 RENAME TO letter_submissions;
CREATE INDEX letter_submissions_queue ON letter_submissions(status, submitted_at);

-- When WeCom last confirmed the member's admin status (refreshed every 10 minutes and on
-- every step that needs it).
ALTER TABLE members ADD COLUMN admin_checked_at BIGINT;
