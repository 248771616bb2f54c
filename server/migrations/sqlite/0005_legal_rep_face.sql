-- The legal representative proves who they are on the link itself: the face session started
-- from it, and the name that session verified (which must be the license's 法定代表人).
ALTER TABLE legal_rep_requests ADD COLUMN face_biz_token TEXT;
ALTER TABLE legal_rep_requests ADD COLUMN verified_name TEXT;
