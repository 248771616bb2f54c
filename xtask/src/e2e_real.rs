//! The real-mode leg of `cargo xtask e2e`: the contract fakes of WeCom and Tencent Cloud (the
//! `fakes` binary), and a server configured as a deployment would be, every provider real,
//! with only the base URLs pointed at the fakes. `tests/e2e/real.spec.ts` drives it; after the
//! run the server's log is searched for every secret it was given.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::e2e::{LocalServer, Server};
use crate::util;

/// Where the leg listens: fixed offsets from the main e2e server's port (18080 gives the
/// server 18083 and the fakes 18090–18093), so two runs with different `E2E_ADDR`s coexist.
struct Addrs {
    server: String,
    wecom: String,
    sms: String,
    ocr: String,
    faceid: String,
}

impl Addrs {
    fn from_base(base: u16) -> Self {
        let at = |offset: u16| format!("127.0.0.1:{}", base + offset);
        Self {
            server: at(3),
            wecom: at(10),
            sms: at(11),
            ocr: at(12),
            faceid: at(13),
        }
    }
}

/// What the operator would set, the fakes given the same credentials. Made-up values, but
/// each distinctive, so a leak of any of them into a log is found.
const SETTINGS: &[(&str, &str)] = &[
    ("ESIGN_WECOM_SUITE_ID", "wwe2esuite0000001"),
    ("ESIGN_WECOM_SUITE_SECRET", "e2e-suite-secret-Vq3XkP9s"),
    ("ESIGN_WECOM_CALLBACK_TOKEN", "e2eCallbackTok7"),
    (
        "ESIGN_WECOM_CALLBACK_AES_KEY",
        "E2eAesKeyE2eAesKeyE2eAesKeyE2eAesKeyE2eAesK",
    ),
    ("ESIGN_TC_SECRET_ID", "AKIDe2eSecretId000000000000000000"),
    ("ESIGN_TC_SECRET_KEY", "e2eTcSecretKey-Wm4Zr8Ty2Lp6"),
    ("ESIGN_SMS_SDK_APP_ID", "1400000001"),
    ("ESIGN_SMS_SIGN_NAME", "腾讯电子签"),
    ("ESIGN_SMS_TEMPLATE_CODE", "2000001"),
    ("ESIGN_SMS_TEMPLATE_LEGAL_REP", "2000002"),
    ("ESIGN_SMS_TEMPLATE_SUPER_ADMIN", "2000003"),
    ("ESIGN_SMS_TEMPLATE_INVITE", "2000004"),
    ("ESIGN_FACEID_RULE_ID", "1"),
    (
        "ESIGN_DATA_KEY",
        "ZTJlLXJlYWwtbW9kZS1kYXRhLWtleS0zMi1ieXRlcyE=",
    ),
];

/// The settings whose values must never be seen.
const SECRETS: &[&str] = &[
    "ESIGN_WECOM_SUITE_SECRET",
    "ESIGN_WECOM_CALLBACK_TOKEN",
    "ESIGN_WECOM_CALLBACK_AES_KEY",
    "ESIGN_TC_SECRET_KEY",
    "ESIGN_DATA_KEY",
];

/// The registry the operator imported (docs/deploy.md): the enterprise of the scenario the
/// suite drives.
const REGISTRY_CSV: &str = "uscc,name,legal_rep\n91330106MA2KX7Q890,星河云图科技有限公司,王建国\n";

pub struct RealRun {
    addrs: Addrs,
    fakes: Server,
    server: Server,
    log_path: PathBuf,
    fakes_log: PathBuf,
}

fn setting(name: &str) -> &'static str {
    SETTINGS
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| *v)
        .expect("a known setting")
}

pub fn start(root: &Path, server_bin: &Path, target: &Path, base_port: u16) -> Result<RealRun> {
    let addrs = Addrs::from_base(base_port);
    let Addrs {
        server: ref server_addr,
        ref wecom,
        ref sms,
        ref ocr,
        ref faceid,
    } = addrs;
    for addr in [server_addr, wecom, sms, ocr, faceid] {
        if TcpListener::bind(addr).is_err() {
            bail!("{addr} is already in use: stop whatever listens there");
        }
    }
    let fakes_bin = server_bin.with_file_name("fakes");
    let fakes_log = target.join("e2e-fakes.log");
    let log = std::fs::File::create(&fakes_log)?;
    let mut cmd = Command::new(&fakes_bin);
    cmd.current_dir(root)
        .args(["--wecom", wecom, "--sms", sms, "--ocr", ocr])
        .args(["--faceid", faceid])
        .envs(SETTINGS.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    eprintln!("$ {}  > {}", util::show(&cmd), fakes_log.display());
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {}", fakes_bin.display()))?;
    let fakes = Server::from_child(child);
    for addr in [wecom, sms, ocr, faceid] {
        wait_for_port(addr.parse()?, &fakes_log)?;
    }

    let data_dir = target.join("e2e-data-real");
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)?;
    let database_url = format!("sqlite://{}?mode=rwc", data_dir.join("esign.db").display());
    let csv = data_dir.join("registry.csv");
    std::fs::write(&csv, REGISTRY_CSV)?;
    util::run(
        Command::new(server_bin)
            .current_dir(root)
            .arg("import-registry")
            .arg(&csv)
            .env("DATABASE_URL", &database_url)
            .env("ESIGN_DATA_KEY", setting("ESIGN_DATA_KEY")),
    )?;

    let public = format!("http://{server_addr}");
    let wecom = format!("http://{wecom}");
    let (sms, ocr, faceid) = (
        format!("http://{sms}"),
        format!("http://{ocr}"),
        format!("http://{faceid}"),
    );
    let mut env: Vec<(&str, &str)> = SETTINGS.to_vec();
    env.extend([
        ("ESIGN_PUBLIC_URL", public.as_str()),
        ("ESIGN_WECOM_API_BASE", wecom.as_str()),
        ("ESIGN_WECOM_OAUTH_BASE", wecom.as_str()),
        ("ESIGN_TC_ENDPOINT_SMS", sms.as_str()),
        ("ESIGN_TC_ENDPOINT_OCR", ocr.as_str()),
        ("ESIGN_TC_ENDPOINT_FACEID", faceid.as_str()),
        // Plain http on this machine: a `Secure` cookie would never come back.
        ("ESIGN_COOKIE_SECURE", "false"),
        (
            "RUST_LOG",
            "debug,sqlx=warn,hyper=info,h2=info,reqwest=info,rustls=info",
        ),
    ]);
    let log_path = target.join("e2e-server-real.log");
    let server = LocalServer {
        bin: server_bin,
        root,
        addr: server_addr.parse()?,
        addr_text: server_addr,
        database_url: &database_url,
        data_dir: &data_dir,
        static_dir: &root.join("dist"),
        log_path: &log_path,
        extra_env: &env,
        providers: "real",
    }
    .spawn(false)?;
    Ok(RealRun {
        addrs,
        fakes,
        server,
        log_path,
        fakes_log,
    })
}

impl RealRun {
    /// What the spec needs: where the server and the fakes listen, and the secrets to look for
    /// in every answer it receives.
    pub fn env(&self) -> Vec<(String, String)> {
        let a = &self.addrs;
        let mut env: Vec<(String, String)> = [
            ("E2E_REAL_BASE", &a.server),
            ("E2E_FAKE_WECOM", &a.wecom),
            ("E2E_FAKE_SMS", &a.sms),
            ("E2E_FAKE_OCR", &a.ocr),
            ("E2E_FAKE_FACEID", &a.faceid),
        ]
        .into_iter()
        .map(|(k, addr)| (k.to_owned(), format!("http://{addr}")))
        .collect();
        let secrets: Vec<&str> = SECRETS.iter().map(|name| setting(name)).collect();
        env.push(("E2E_REAL_SECRETS".to_owned(), secrets.join("\n")));
        env
    }

    /// Stops both; the secrets (by setting name) found in the server's log, if any.
    pub fn finish(mut self) -> Result<Vec<&'static str>> {
        self.server.stop();
        self.fakes.stop();
        let log = std::fs::read_to_string(&self.log_path)
            .with_context(|| format!("reading {}", self.log_path.display()))?;
        println!(
            "e2e: real-mode server log: {}; fakes log: {}",
            self.log_path.display(),
            self.fakes_log.display()
        );
        Ok(SECRETS
            .iter()
            .copied()
            .filter(|name| log.contains(setting(name)))
            .collect())
    }
}

fn wait_for_port(addr: SocketAddr, log: &Path) -> Result<()> {
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if start.elapsed() > Duration::from_secs(20) {
            bail!(
                "the fakes did not listen on {addr} within 20 s. Last lines of {}:\n{}",
                log.display(),
                util::tail(log, 20)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
