//! The load generator of `cargo xtask bench load`: a small hyper client, run as a process of
//! its own on loopback, so that it does not share the server's runtime.
//!
//!   loadgen prepare BASE                     signs in as 张伟 (real-name verified) and takes
//!                                            星河云图 to 等待法定代表人授权, the page that
//!                                            polls (local mode); prints his cookie
//!   loadgen run URL [COOKIE] CONCURRENCY SECS  GETs URL from CONCURRENCY keep-alive
//!                                            connections for SECS seconds; prints one JSON line
//!                                            {"requests","errors","rps","p50_ms","p99_ms"}

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

type Http = Client<HttpConnector, Full<Bytes>>;

fn client(connections: usize) -> Http {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(connections)
        .build_http()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("prepare") if args.len() == 2 => println!("{}", prepare(&args[1]).await),
        Some("run") if args.len() == 5 => {
            let cookie = Some(args[2].as_str()).filter(|c| !c.is_empty());
            let concurrency = args[3].parse().expect("CONCURRENCY");
            let secs = args[4].parse().expect("SECS");
            println!("{}", run(&args[1], cookie, concurrency, secs).await);
        }
        _ => {
            eprintln!("usage: loadgen prepare BASE | loadgen run URL COOKIE CONCURRENCY SECS");
            std::process::exit(2);
        }
    }
}

async fn run(url: &str, cookie: Option<&str>, concurrency: usize, secs: u64) -> Value {
    let http = client(concurrency);
    let until = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, url, cookie) = (http.clone(), url.to_owned(), cookie.map(str::to_owned));
            tokio::spawn(async move {
                let (mut micros, mut errors) = (Vec::new(), 0u64);
                while Instant::now() < until {
                    let mut req = Request::get(&url);
                    if let Some(c) = &cookie {
                        req = req.header(header::COOKIE, c);
                    }
                    let req = req.body(Full::new(Bytes::new())).unwrap();
                    let t = Instant::now();
                    let ok = match http.request(req).await {
                        Ok(res) => {
                            let status = res.status();
                            res.into_body().collect().await.is_ok() && status == StatusCode::OK
                        }
                        Err(_) => false,
                    };
                    if ok {
                        micros.push(t.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
                (micros, errors)
            })
        })
        .collect();
    let started = Instant::now();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (m, e) = t.await.unwrap();
        all.extend(m);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64().max(secs as f64);
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i] as f64 / 1000.0
    };
    json!({
        "requests": all.len() as u64 + errors,
        "errors": errors,
        "rps": (all.len() as f64 / elapsed).round(),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    })
}

/// A same-origin request of the app's pages, as the server's CSRF check wants it.
async fn call(
    http: &Http,
    base: &str,
    method: &str,
    path: &str,
    cookie: &str,
    body: Body,
) -> (u16, Value, Option<String>) {
    let host = base.trim_start_matches("http://");
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header(header::HOST, host)
        .header(header::ORIGIN, base)
        .header(header::COOKIE, cookie);
    let bytes = match body {
        Body::None => Bytes::new(),
        Body::Json(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Bytes::from(v.to_string())
        }
        Body::Jpeg(b) => {
            req = req.header(header::CONTENT_TYPE, "image/jpeg");
            Bytes::from(b)
        }
    };
    let res = http
        .request(req.body(Full::new(bytes)).unwrap())
        .await
        .expect("the server answers");
    let status = res.status().as_u16();
    let set_cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
        set_cookie,
    )
}

enum Body {
    None,
    Json(Value),
    Jpeg(Vec<u8>),
}

fn expect(step: &str, (status, v, _): &(u16, Value, Option<String>), want: &[u16]) {
    if !want.contains(status) {
        eprintln!("loadgen prepare: {step} answered {status}: {v}");
        std::process::exit(1);
    }
}

/// 张伟 (WeCom admin of 星河云图, not its legal representative) goes through the API exactly as
/// the app's pages do — real name, license, contact code from the local outbox — and sends
/// 短信通知法人: his application then waits, and its page polls `GET /api/application`.
async fn prepare(base: &str) -> String {
    let http = client(1);
    let login = call(
        &http,
        base,
        "GET",
        "/dev/login?user=zhangwei",
        "",
        Body::None,
    )
    .await;
    let cookie = login.2.clone().expect("/dev/login sets the session cookie");
    let c = cookie.as_str();
    expect(
        "start",
        &call(&http, base, "POST", "/api/application", c, Body::None).await,
        &[200, 201],
    );
    let real_name = json!({"name": "张伟", "id_number": "440305198806231534"});
    expect(
        "real name",
        &call(
            &http,
            base,
            "POST",
            "/api/application/real-name",
            c,
            Body::Json(real_name),
        )
        .await,
        &[200],
    );
    let photo = call(
        &http,
        base,
        "POST",
        "/api/application/license/photo",
        c,
        Body::Jpeg(jpeg()),
    )
    .await;
    expect("license photo", &photo, &[200]);
    let f = |v: &str| json!({"value": v, "source": "edited"});
    let license = json!({
        "subject_type": "enterprise",
        "upload_id": photo.1["upload_id"],
        "name": f("星河云图科技有限公司"),
        "uscc": f("91330106MA2KX7Q890"),
        "legal_rep": f("王建国"),
        "kind": f("有限责任公司(自然人投资或控股)"),
        "address": f("浙江省杭州市西湖区文三路398号"),
        "set_date": f("2019年03月12日"),
    });
    expect(
        "license",
        &call(
            &http,
            base,
            "PUT",
            "/api/application/license",
            c,
            Body::Json(license),
        )
        .await,
        &[200],
    );
    let phone = json!({"phone": "13900000002"});
    expect(
        "code",
        &call(
            &http,
            base,
            "POST",
            "/api/application/contact/code",
            c,
            Body::Json(phone),
        )
        .await,
        &[200],
    );
    let outbox = call(&http, base, "GET", "/dev/outbox.json", "", Body::None)
        .await
        .1;
    let text = outbox
        .as_array()
        .and_then(|a| a.iter().find(|m| m["channel"] == "sms"))
        .and_then(|m| m["text"].as_str())
        .expect("the code's SMS in the outbox");
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    let verify = json!({"phone": "13900000002", "code": code});
    expect(
        "verify",
        &call(
            &http,
            base,
            "POST",
            "/api/application/contact/verify",
            c,
            Body::Json(verify),
        )
        .await,
        &[200],
    );
    let legal_rep = json!({"phone": "13900000001"});
    expect(
        "短信通知法人",
        &call(
            &http,
            base,
            "POST",
            "/api/application/legal-rep",
            c,
            Body::Json(legal_rep),
        )
        .await,
        &[200],
    );
    let view = call(&http, base, "GET", "/api/application", c, Body::None).await;
    expect("the waiting view", &view, &[200]);
    cookie
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1200, 850, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 200])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}
