//! `fakes --wecom ADDR --sms ADDR --ocr ADDR --faceid ADDR`: serves the contract fakes for the
//! end-to-end suite (`cargo xtask e2e` starts it). The credentials come from the same
//! environment variables as the server's (`ESIGN_WECOM_SUITE_ID`, `ESIGN_TC_SECRET_KEY`, …),
//! so the fakes check what a deployment's server would send. The fake corp is 星河云图 with
//! an admin, 张伟 (`zhangwei`), and an employee, 李娜 (`lina`).

use std::net::SocketAddr;

use fakes::{tencent, wecom};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("fakes: {name} must be set"))
}

fn corp() -> wecom::Config {
    wecom::Config {
        suite_id: env("ESIGN_WECOM_SUITE_ID"),
        suite_secret: env("ESIGN_WECOM_SUITE_SECRET"),
        callback_token: env("ESIGN_WECOM_CALLBACK_TOKEN"),
        callback_aes_key: env("ESIGN_WECOM_CALLBACK_AES_KEY"),
        corp_id: "wwe2ecorpxinghe01".to_owned(),
        corp_name: "星河云图科技有限公司".to_owned(),
        agentid: 1000002,
        auth_mode: 0,
        users: vec![
            wecom::User {
                userid: "zhangwei".to_owned(),
                admin: true,
            },
            wecom::User {
                userid: "lina".to_owned(),
                admin: false,
            },
        ],
    }
}

/// `--name ADDR` pairs from the command line.
fn addresses() -> Vec<(String, SocketAddr)> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.chunks(2)
        .map(|pair| match pair {
            [flag, addr] if flag.starts_with("--") => (
                flag.trim_start_matches("--").to_owned(),
                addr.parse()
                    .unwrap_or_else(|_| panic!("fakes: {flag} needs an address, got `{addr}`")),
            ),
            _ => panic!("usage: fakes --wecom ADDR --sms ADDR --ocr ADDR --faceid ADDR"),
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let tc = tencent::Fake::new(&env("ESIGN_TC_SECRET_ID"), &env("ESIGN_TC_SECRET_KEY"));
    let wecom = wecom::Fake::new(corp());
    let mut served = Vec::new();
    for (name, addr) in addresses() {
        let router = match name.as_str() {
            "wecom" => wecom.router(),
            "sms" => tc.router_for("sms"),
            "ocr" => tc.router_for("ocr"),
            "faceid" => tc.router_for("faceid"),
            other => panic!("fakes: no fake named `{other}`"),
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("fakes: cannot listen on {addr}: {e}"));
        println!("fakes: {name} on http://{addr}");
        served.push(tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serving a fake");
        }));
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler");
            term.recv().await
        } => {}
    }
}
