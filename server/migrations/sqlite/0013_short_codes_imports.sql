-- Real mode (issue 12): invitation SMS codes, and the tables the operator imports for the
-- enterprise registry and the WeChat-side directory (`server import-registry`,
-- `server import-directory`; docs/deploy.md).

-- Each invitation SMS carries a short code (`/s/<code>`): stored as its hash, single use,
-- valid 24 hours from `sent_at`.
ALTER TABLE invitations ADD COLUMN code_hash TEXT;
ALTER TABLE invitations ADD COLUMN code_used_at BIGINT;
CREATE UNIQUE INDEX invitations_by_code ON invitations(code_hash);

-- 工商登记信息 as the operator imported it: a code not here is "not found", never a pass.
CREATE TABLE registry_entries (
    uscc        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    legal_rep   TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

-- The WeChat-side e-sign directory (scenario 2) as the operator imported it. ID numbers and
-- mobiles are sealed with the data key; `*_id_index` is their keyed blind index.
CREATE TABLE directory_enterprises (
    uscc                TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    admin_name          TEXT NOT NULL,
    admin_id_index      TEXT NOT NULL,
    admin_id_sealed     TEXT NOT NULL,
    admin_mobile_sealed TEXT NOT NULL,
    imported_at         BIGINT NOT NULL
);
CREATE INDEX directory_enterprises_by_admin ON directory_enterprises(admin_id_index);

CREATE TABLE directory_employees (
    uscc          TEXT NOT NULL REFERENCES directory_enterprises(uscc) ON DELETE CASCADE,
    id_index      TEXT NOT NULL,
    name          TEXT NOT NULL,
    id_sealed     TEXT NOT NULL,
    mobile_sealed TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (uscc, id_index)
);
CREATE INDEX directory_employees_by_id ON directory_employees(id_index);
