-- The daily cap on photo uploads counts an application's uploads since the start of the day.
CREATE INDEX uploads_by_application ON uploads(application_id, created_at);
