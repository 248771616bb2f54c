-- Face verification (FaceID DetectAuth) sessions this server started, and for whom: the
-- redirect back proves nothing by itself, so a BizToken counts only for the application and
-- the person it was started for, once.
CREATE TABLE face_checks (
    biz_token      TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    member_id      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    result         TEXT CHECK (result IN ('passed', 'failed')),
    finished_at    INTEGER
);

-- The local face simulation's own sessions (local mode): what FaceID keeps on its side.
CREATE TABLE local_face_sessions (
    biz_token    TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'passed', 'failed')),
    created_at   INTEGER NOT NULL
);

-- Who became the enterprise's super admin, and when the application ended verified.
ALTER TABLE applications ADD COLUMN super_admin_id TEXT;
ALTER TABLE applications ADD COLUMN finished_at INTEGER;
