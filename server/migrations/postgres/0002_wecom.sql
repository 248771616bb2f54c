-- Real WeCom as a third-party suite (issue 12): the suite's newest ticket, tokens shared by
-- every server instance, each corp's install, and the OAuth sign-in states.

-- The newest `suite_ticket` WeCom pushed (every 10 minutes, valid 30): `pushed_at` is the
-- callback's own TimeStamp, so an older push that arrives late never replaces a newer one.
CREATE TABLE wecom_suite_tickets (
    suite_id      TEXT PRIMARY KEY,
    ticket_sealed TEXT NOT NULL,
    pushed_at     BIGINT NOT NULL
);

-- Access tokens and JS-SDK tickets, sealed: `suite`, `corp:<corpid>`, `jsapi:<corpid>`,
-- `agent_config:<corpid>`. Read only while `expires_at` (a few minutes before WeCom's
-- `expires_in`) is ahead.
CREATE TABLE wecom_tokens (
    name       TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The app's install in a corp (create_auth / change_auth); `cancelled_at` set by cancel_auth
-- ends the corp's access. The corp's name and auth_mode are in `corps`.
CREATE TABLE wecom_installs (
    corp_id               TEXT PRIMARY KEY REFERENCES corps(id),
    agentid               BIGINT NOT NULL,
    permanent_code_sealed TEXT NOT NULL,
    installed_at          BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    cancelled_at          BIGINT
);

-- OAuth `state`s, single-use, bound to the browser that asked (the hash of a cookie's value).
CREATE TABLE wecom_oauth_states (
    state_hash   TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    next_path    TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
