//! The operator's imports for real mode: the enterprise registry and the WeChat-side
//! directory, from CSV files, checked row by row, read back through the provider traits.
//! Personal numbers are sealed at rest and never appear in a refusal.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::StatusCode;
use common::apply::{answer, biz_of, link_wechat};
use common::TestApp;
use serde_json::json;

use server::config::real::{load, Modes, Source};
use server::config::ProviderMode;
use server::crypto::Vault;
use server::import::{import_directory, import_registry, parse_directory, parse_registry};
use server::providers::esign::WechatEsignDirectory;
use server::providers::imported::{ImportedDirectory, ImportedRegistry};
use server::providers::registry::EnterpriseRegistry;
use server::providers::Providers;
use server::storage::Db;

const T0: i64 = 1_795_860_000;
const KEY_B64: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";

fn vault() -> Vault {
    Vault::from_base64(KEY_B64).unwrap()
}

/// A valid USCC with this 17-character start.
fn uscc(first17: &str) -> String {
    format!(
        "{first17}{}",
        api::validate::uscc_check_char(first17).unwrap()
    )
}

/// A valid ID number: born 1990-01-01, the n-th of that day.
fn id(n: u32) -> String {
    let first17 = format!("11010519900101{n:03}");
    format!(
        "{first17}{}",
        api::validate::id_check_char(&first17).unwrap()
    )
}

/// An ID number ending in X (to see the lower-case x looked up too).
fn id_with_x() -> String {
    (0..1000)
        .map(id)
        .find(|i| i.ends_with('X'))
        .expect("some check digit is X")
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("esign-imports-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    async fn db(&self) -> Db {
        common::fresh_db(&self.0).await
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_registry_file_round_trips_through_the_trait() {
    let dir = Dir::new("registry");
    let db = dir.db().await;
    let a = uscc("91110108MA01ABCD1");
    let b = uscc("92440305MA5HJ8WL2");
    // Excel's BOM, columns in another order, spaces around values, a blank line.
    let path = dir.file(
        "registry.csv",
        &format!(
            "\u{feff}name,uscc,legal_rep\n 北辰云科技有限公司 ,{a}, 李明\n\n南山小吃店(个体工商户),{},王芳\n",
            b.to_lowercase()
        ),
    );
    assert_eq!(import_registry(&db, &path, T0).await.unwrap(), 2);

    let registry = ImportedRegistry::new(db.clone());
    let e = registry.lookup(&a).await.unwrap().unwrap();
    assert_eq!(
        (e.name.as_str(), e.legal_rep.as_str()),
        ("北辰云科技有限公司", "李明")
    );
    let e = registry.lookup(&b).await.unwrap().unwrap();
    assert!(e.name_matches("南山小吃店（个体工商户）"));
    // A valid code not imported is not found: never a pass.
    assert_eq!(
        registry.lookup(&uscc("91330106MA2KX7Q89")).await.unwrap(),
        None
    );

    // A new file updates what it names and keeps the rest.
    let path = dir.file(
        "update.csv",
        &format!("uscc,name,legal_rep\n{a},北辰云科技有限公司,赵强\n"),
    );
    assert_eq!(import_registry(&db, &path, T0 + 60).await.unwrap(), 1);
    assert_eq!(
        registry.lookup(&a).await.unwrap().unwrap().legal_rep,
        "赵强"
    );
    assert!(registry.lookup(&b).await.unwrap().is_some());
}

#[test]
fn a_bad_registry_row_refuses_the_whole_file_by_its_line() {
    let good = uscc("91110108MA01ABCD1");
    let mut bad = good.clone();
    bad.replace_range(17.., if good.ends_with('0') { "1" } else { "0" });
    let file =
        format!("uscc,name,legal_rep\n{good},北辰云科技有限公司,李明\n{bad},另一家有限公司,王芳\n");
    let err = parse_registry(file.as_bytes()).unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    assert!(err.message.starts_with("uscc"), "{err}");
    assert!(!err.to_string().contains(&bad), "no value in {err}");

    let err = parse_registry(format!("uscc,name\n{good},x\n").as_bytes()).unwrap_err();
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("legal_rep"), "{err}");
    let twice = format!("uscc,name,legal_rep\n{good},甲有限公司,李明\n{good},乙有限公司,王芳\n");
    assert_eq!(parse_registry(twice.as_bytes()).unwrap_err().line, Some(3));
    let ragged = format!("uscc,name,legal_rep\n{good},甲有限公司\n");
    assert_eq!(parse_registry(ragged.as_bytes()).unwrap_err().line, Some(2));
    assert!(parse_registry("uscc,name,legal_rep\n".as_bytes()).is_err());
    assert!(parse_registry("".as_bytes()).is_err());
}

#[tokio::test]
async fn a_refused_file_imports_nothing() {
    let dir = Dir::new("refused");
    let db = dir.db().await;
    let good = uscc("91110108MA01ABCD1");
    let path = dir.file(
        "registry.csv",
        &format!("uscc,name,legal_rep\n{good},北辰云科技有限公司,李明\nNOTACODE,乙有限公司,王芳\n"),
    );
    let err = import_registry(&db, &path, T0).await.unwrap_err();
    assert_eq!(err.line, Some(3));
    assert_eq!(db.registry_entry(&good).await.unwrap(), None);
}

fn directory_csv(enterprise: &str, admin_id: &str, employees: &[(&str, &str, &str)]) -> String {
    let mut csv = format!(
        "kind,uscc,enterprise,name,id_number,mobile\nenterprise,{enterprise},蓝湾文化有限公司,周强,{admin_id},13900000101\n"
    );
    for (name, id, mobile) in employees {
        csv.push_str(&format!("employee,{enterprise},,{name},{id},{mobile}\n"));
    }
    csv
}

#[tokio::test]
async fn a_directory_file_round_trips_sealed_and_is_found_by_the_verified_identity() {
    let dir = Dir::new("directory");
    let db = dir.db().await;
    let e = uscc("91440305MA5G3N2R4");
    let (admin, emp1, emp2) = (id(1), id_with_x(), id(3));
    let path = dir.file(
        "directory.csv",
        &directory_csv(
            &e,
            &admin,
            &[
                ("孙敏", &emp1.to_lowercase(), "139 0000 0102"),
                ("钱亮", &emp2, "+8613900000103"),
            ],
        ),
    );
    assert_eq!(
        import_directory(&db, &vault(), &path, T0).await.unwrap(),
        (1, 2)
    );

    let directory = ImportedDirectory::new(db.clone(), vault());
    let found = directory.by_uscc(&e).await.unwrap().unwrap();
    assert_eq!(found.name, "蓝湾文化有限公司");
    assert!(found.super_admin.is("周强", &admin));
    assert_eq!(found.super_admin.mobile, "13900000101");
    let people: Vec<_> = found
        .employees
        .iter()
        .map(|p| (p.name.as_str(), p.id_number.as_str(), p.mobile.as_str()))
        .collect();
    assert_eq!(
        people,
        [
            ("孙敏", emp1.as_str(), "13900000102"),
            ("钱亮", emp2.as_str(), "13900000103")
        ],
        "validated values, in the file's order"
    );

    assert_eq!(
        directory.memberships("周强", &admin).await.unwrap().len(),
        1
    );
    assert_eq!(
        directory
            .memberships("孙敏", &emp1.to_lowercase())
            .await
            .unwrap()
            .len(),
        1
    );
    // The ID number alone is not enough, nor a name alone.
    assert!(directory
        .memberships("钱敏", &emp2)
        .await
        .unwrap()
        .is_empty());
    assert!(directory
        .memberships("周强", &id(9))
        .await
        .unwrap()
        .is_empty());
    assert!(directory
        .by_uscc(&uscc("91330106MA2KX7Q89"))
        .await
        .unwrap()
        .is_none());
    // Another key opens nothing: the operator is told, not the user.
    let other = ImportedDirectory::new(db.clone(), Vault::from_master(&[1; 32]));
    assert!(matches!(
        other.by_uscc(&e).await,
        Err(server::providers::ProviderError::Misconfigured { .. })
    ));

    // The numbers are sealed at rest: no column holds them in clear.
    let (a_id, a_mobile): (String, String) = sqlx::query_as(
        "SELECT admin_id_sealed, admin_mobile_sealed FROM directory_enterprises WHERE uscc = $1",
    )
    .bind(&e)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(vault().open(&a_id).unwrap(), admin);
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id_index, id_sealed, mobile_sealed FROM directory_employees")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let clear = [
        admin.as_str(),
        emp1.as_str(),
        emp2.as_str(),
        "13900000101",
        "13900000102",
        "13900000103",
    ];
    for value in rows
        .iter()
        .flat_map(|(a, b, c)| [a, b, c])
        .chain([&a_id, &a_mobile])
    {
        for c in clear {
            assert!(!value.contains(c), "{c} in clear");
        }
    }
    if common::postgres_server().is_none() {
        for sql in ["PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM"] {
            sqlx::query(sql).execute(db.pool()).await.unwrap();
        }
        let file = dir.0.join("test.db");
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend(std::fs::read(dir.0.join("test.db-wal")).unwrap_or_default());
        for c in clear {
            assert!(
                !bytes.windows(c.len()).any(|w| w == c.as_bytes()),
                "{c} in the database file"
            );
        }
    }

    // A new file replaces the enterprise whole: an employee who left is gone.
    let path = dir.file(
        "again.csv",
        &directory_csv(&e, &admin, &[("钱亮", &emp2, "13900000103")]),
    );
    assert_eq!(
        import_directory(&db, &vault(), &path, T0 + 60)
            .await
            .unwrap(),
        (1, 1)
    );
    assert!(directory
        .memberships("孙敏", &emp1)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        directory
            .by_uscc(&e)
            .await
            .unwrap()
            .unwrap()
            .employees
            .len(),
        1
    );
}

#[test]
fn a_bad_directory_row_is_named_by_its_line_and_never_shows_the_value() {
    let e = uscc("91440305MA5G3N2R4");
    let admin = id(1);
    let mut bad_id = id(2);
    bad_id.replace_range(17.., if bad_id.ends_with('0') { "1" } else { "0" });
    let cases: Vec<(String, u64, &str, &str)> = vec![
        (
            directory_csv(&e, &admin, &[("孙敏", &id(2), "13900000102"), ("钱亮", &bad_id, "13900000103")]),
            4,
            "id_number",
            bad_id.as_str(),
        ),
        (
            directory_csv(&e, &admin, &[("孙敏", &id(2), "2390000010")]),
            3,
            "mobile",
            "2390000010",
        ),
        (
            format!("kind,uscc,enterprise,name,id_number,mobile\nemployee,{e},,孙敏,{},13900000102\n", id(2)),
            2,
            "uscc",
            "",
        ),
        (
            format!("kind,uscc,enterprise,name,id_number,mobile\nboss,{e},蓝湾,周强,{admin},13900000101\n"),
            2,
            "kind",
            "",
        ),
        (
            directory_csv(&e, &admin, &[("周强", &admin, "13900000101")]),
            3,
            "id_number",
            "",
        ),
        (
            "kind,uscc,name,id_number,mobile\n".to_owned(),
            1,
            "",
            "",
        ),
    ];
    for (csv, line, field, value) in cases {
        let err = parse_directory(csv.as_bytes(), &vault()).unwrap_err();
        assert_eq!(err.line, Some(line), "{err}");
        assert!(err.message.starts_with(field), "{err}");
        if !value.is_empty() {
            assert!(!err.to_string().contains(value), "value shown in {err}");
        }
    }
}

#[tokio::test]
async fn real_mode_providers_read_the_imported_tables() {
    let dir = Dir::new("providers");
    let db = dir.db().await;
    let e = uscc("91110108MA01ABCD1");
    let path = dir.file(
        "registry.csv",
        &format!("uscc,name,legal_rep\n{e},北辰云科技有限公司,李明\n"),
    );
    import_registry(&db, &path, T0).await.unwrap();
    let admin = id(1);
    let path = dir.file("directory.csv", &directory_csv(&e, &admin, &[]));
    import_directory(&db, &vault(), &path, T0).await.unwrap();

    let mut modes = Modes::all(ProviderMode::Local);
    modes.registry = ProviderMode::Real;
    modes.directory = ProviderMode::Real;
    let settings = load(
        &Source::from_pairs([("ESIGN_PUBLIC_URL", "https://esign.example.com")]),
        modes,
    )
    .unwrap();
    let clock = Arc::new(server::clock::ManualClock::at(T0));
    let providers =
        Providers::new(&settings, db.clone(), &vault(), clock, Path::new("none")).unwrap();
    let found = providers.registry.lookup(&e).await.unwrap().unwrap();
    assert_eq!(found.legal_rep, "李明");
    // The demo enterprises are local mode's: not in real mode's registry.
    assert!(providers
        .registry
        .lookup("91330106MA2KX7Q890")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        providers
            .wechat_esign
            .memberships("周强", &admin)
            .await
            .unwrap()[0]
            .uscc,
        e
    );
    assert!(providers
        .wechat_esign
        .by_uscc("91440305MA5G3N2R3N")
        .await
        .unwrap()
        .is_none());
}

/// `server import-…` as the operator runs it, on the server's settings.
fn run(dir: &Path, db_url: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("ESIGN_DATA_DIR", dir)
        .env("ESIGN_DATA_KEY", KEY_B64)
        .env("ESIGN_PROVIDERS", "real")
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn the_import_commands_print_counts_or_the_bad_line() {
    let dir = Dir::new("commands");
    let db_url = common::fresh_db_url(&dir.0).await;
    let e = uscc("91110108MA01ABCD1");
    let admin = id(1);
    let registry = dir.file(
        "registry.csv",
        &format!("uscc,name,legal_rep\n{e},北辰云科技有限公司,李明\n"),
    );
    let (ok, out) = run(
        &dir.0,
        &db_url,
        &["import-registry", registry.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    assert!(out.contains("1 enterprises imported"), "{out}");

    let directory = dir.file(
        "directory.csv",
        &directory_csv(&e, &admin, &[("孙敏", &id(2), "13900000102")]),
    );
    let (ok, out) = run(
        &dir.0,
        &db_url,
        &["import-directory", directory.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    assert!(out.contains("1 enterprises, 1 employees imported"), "{out}");

    let mut bad_id = id(3);
    bad_id.replace_range(17.., if bad_id.ends_with('0') { "1" } else { "0" });
    let bad = dir.file(
        "bad.csv",
        &directory_csv(&e, &admin, &[("钱亮", &bad_id, "13900000103")]),
    );
    let (ok, out) = run(
        &dir.0,
        &db_url,
        &["import-directory", bad.to_str().unwrap()],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("line 3") && out.contains("id_number"), "{out}");
    assert!(!out.contains(&bad_id) && !out.contains(&admin), "{out}");

    // What the commands wrote, the server reads with the same key.
    let db = Db::connect(&db_url).await.unwrap();
    let found = ImportedDirectory::new(db.clone(), vault())
        .by_uscc(&e)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.employees.len(), 1, "the refused file changed nothing");
    assert!(ImportedRegistry::new(db)
        .lookup(&e)
        .await
        .unwrap()
        .is_some());
}

/// Scenario 2 through the API on the imported directory: the applicant's verified identity
/// finds the enterprise through the blind index, the SMS go to the imported numbers.
#[tokio::test]
async fn scenario_two_runs_on_the_imported_directory() {
    const LANHAI_USCC: &str = "91440305MA5G3N2R3N";
    const ZHAO_ID: &str = "31011519800101077X";
    let app = TestApp::with_providers_on_db(|p, db| {
        p.wechat_esign = Arc::new(ImportedDirectory::new(db.clone(), TestApp::vault()));
    })
    .await;
    // The demo people, with numbers of the import's own (the demo's are 13900000011/13).
    let path = app.dir.join("directory.csv");
    std::fs::write(
        &path,
        format!(
            "kind,uscc,enterprise,name,id_number,mobile\n\
             enterprise,{LANHAI_USCC},蓝海文化传媒有限公司,赵磊,{},13900000091\n\
             employee,{LANHAI_USCC},,刘洋,44030519950817031x,13900000093\n",
            ZHAO_ID.to_lowercase()
        ),
    )
    .unwrap();
    assert_eq!(
        import_directory(&app.db, &TestApp::vault(), &path, T0)
            .await
            .unwrap(),
        (1, 1)
    );

    let z = app.login("zhaolei").await;
    let body = json!({"name": "赵磊", "id_number": ZHAO_ID}).to_string();
    let (status, v) = app.post_json("/api/me/real-name", Some(&z), &body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A code the import does not have is not opened on the WeChat side.
    let (status, v) = link_wechat(&app, &z, Some("91330106MA2KX7Q890")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    // Without a code, his verified identity finds 蓝海 among his memberships.
    let (status, v) = link_wechat(&app, &z, None).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");

    let (status, v) = app
        .post_json("/api/application/activation", Some(&z), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = v["path"].as_str().unwrap()["/activate/".len()..].to_owned();
    let (_, v) = app.get_json(&format!("/api/activate/{token}"), None).await;
    let version = v["agreement"]["version"].as_str().unwrap().to_owned();
    let body = json!({ "agreement_version": version, "accepted": true }).to_string();
    let (status, _) = app
        .post_json(&format!("/api/activate/{token}/confirm"), None, &body)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/face"),
            Some(&z),
            &json!({ "identity": null }).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/face/result"),
            Some(&z),
            &json!({ "biz_token": biz }).to_string(),
        )
        .await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );

    let (status, e) = app.get_json("/api/enterprise", Some(&z)).await;
    assert_eq!((status, e["invitable"].as_u64()), (StatusCode::OK, Some(1)));
    let (status, v) = app
        .post_json("/api/enterprise/invitations", Some(&z), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["invited"][0]["phone"], "139****0093");
    let sms: Vec<_> = app
        .outbox()
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .map(|m| m["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sms, ["13900000093"], "the imported number, not the demo's");
}
