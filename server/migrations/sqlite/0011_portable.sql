-- One core, two databases (issue 11): what the PostgreSQL schema has from its start.

-- Insertion order without `rowid`: each new letter and link takes the next `seq`, under the
-- write lock of the transaction that inserts it.
ALTER TABLE letter_submissions ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE letter_submissions SET seq = (
    SELECT COUNT(*) FROM letter_submissions AS o
    WHERE o.submitted_at < letter_submissions.submitted_at
       OR (o.submitted_at = letter_submissions.submitted_at AND o.id <= letter_submissions.id));
ALTER TABLE sms_links ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE sms_links SET seq = (
    SELECT COUNT(*) FROM sms_links AS o
    WHERE o.sent_at < sms_links.sent_at
       OR (o.sent_at = sms_links.sent_at AND o.id <= sms_links.id));

-- Photo bytes live beside their rows, so that every server on the database reads them.
-- Photos stored as files by earlier versions are imported at start (`Db::import_upload_files`).
CREATE TABLE upload_blobs (
    upload_id TEXT PRIMARY KEY REFERENCES uploads(id) ON DELETE CASCADE,
    content   BLOB NOT NULL
);
