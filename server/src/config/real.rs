//! Real mode's settings (real-mode.md): which provider is real, and what each real one needs.
//! Every value comes from the environment or the `--config` TOML file (the environment wins).
//! A missing or malformed required setting stops the server at start, naming it; no secret
//! is ever printed.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::ProviderMode;

/// A secret setting: shown as `***` in every `Debug`, readable only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which provider is local and which is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modes {
    pub wecom: ProviderMode,
    pub sms: ProviderMode,
    pub ocr: ProviderMode,
    pub face: ProviderMode,
    pub real_name: ProviderMode,
    /// The enterprise registry: the local table, or the operator-imported one.
    pub registry: ProviderMode,
    /// The WeChat-side directory (scenario 2): the demo data, or the operator-imported one.
    pub directory: ProviderMode,
}

impl Modes {
    pub fn all(mode: ProviderMode) -> Self {
        Self {
            wecom: mode,
            sms: mode,
            ocr: mode,
            face: mode,
            real_name: mode,
            registry: mode,
            directory: mode,
        }
    }

    pub fn any_real(&self) -> bool {
        [
            self.wecom,
            self.sms,
            self.ocr,
            self.face,
            self.real_name,
            self.registry,
            self.directory,
        ]
        .contains(&ProviderMode::Real)
    }

    fn tencent_cloud(&self) -> bool {
        [self.sms, self.ocr, self.face, self.real_name].contains(&ProviderMode::Real)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeComSettings {
    pub suite_id: String,
    pub suite_secret: Secret,
    pub callback_token: Secret,
    /// The 43-character EncodingAESKey.
    pub callback_aes_key: Secret,
    /// Also accepted as the receive id of URL verification.
    pub provider_corpid: Option<String>,
    /// `https://qyapi.weixin.qq.com`, no trailing `/`.
    pub api_base: String,
    /// `https://open.weixin.qq.com`, no trailing `/`.
    pub oauth_base: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentCloudSettings {
    pub secret_id: String,
    pub secret_key: Secret,
    pub region: String,
    /// Full URLs, e.g. `https://sms.tencentcloudapi.com`; the request is signed for the host
    /// it goes to, the scope's service is always `sms`, `ocr` or `faceid`.
    pub endpoint_sms: String,
    pub endpoint_ocr: String,
    pub endpoint_faceid: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSettings {
    pub sdk_app_id: String,
    pub sign_name: String,
    /// Parameters `[code, minutes valid]`.
    pub template_code: String,
    /// The three link messages; the last parameter is the link's short code.
    pub template_legal_rep: String,
    pub template_super_admin: String,
    pub template_invite: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceSettings {
    pub rule_id: String,
}

/// Everything the real providers need, present exactly for the providers that are real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealSettings {
    pub modes: Modes,
    /// The public origin, no trailing `/`; set whenever any provider is real.
    pub public_url: Option<String>,
    pub wecom: Option<WeComSettings>,
    pub tencent_cloud: Option<TencentCloudSettings>,
    pub sms: Option<SmsSettings>,
    pub face: Option<FaceSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("{name} is required {when}")]
    Missing {
        name: &'static str,
        when: &'static str,
    },
    /// Never holds a secret's value.
    #[error("{name} is malformed: {why}")]
    Malformed { name: &'static str, why: String },
    #[error("the config file {path}: {why}")]
    File { path: String, why: String },
}

/// Where settings are read: the environment first, then the `--config` file.
pub struct Source {
    file: HashMap<String, String>,
    env: bool,
    extra: HashMap<String, String>,
}

impl Source {
    /// The process environment, then `config` (a TOML table of `NAME = "value"`, the same
    /// names as the environment variables).
    pub fn environment(config: Option<&Path>) -> Result<Self, SettingError> {
        let file = match config {
            Some(path) => read_file(path)?,
            None => HashMap::new(),
        };
        Ok(Self {
            file,
            env: true,
            extra: HashMap::new(),
        })
    }

    /// Only these values (tests, and servers started in-process).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            file: HashMap::new(),
            env: false,
            extra: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// A value given another way (a command-line flag), over the file.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.extra.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn get(&self, name: &str) -> Option<String> {
        let env = self.env.then(|| std::env::var(name).ok()).flatten();
        env.or_else(|| self.extra.get(name).cloned())
            .or_else(|| self.file.get(name).cloned())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

fn read_file(path: &Path) -> Result<HashMap<String, String>, SettingError> {
    let err = |why: String| SettingError::File {
        path: path.display().to_string(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    // The parser's message may quote the offending line, which may hold a secret.
    let table: toml::Table = text
        .parse()
        .map_err(|_| err("not valid TOML (NAME = \"value\" lines)".to_owned()))?;
    table
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            toml::Value::Integer(i) => Ok((k, i.to_string())),
            toml::Value::Boolean(b) => Ok((k, b.to_string())),
            _ => Err(err(format!("{k} must be a string"))),
        })
        .collect()
}

fn mode(
    src: &Source,
    name: &'static str,
    default: ProviderMode,
) -> Result<ProviderMode, SettingError> {
    match src.get(name).as_deref() {
        None => Ok(default),
        Some("local") => Ok(ProviderMode::Local),
        Some("real") => Ok(ProviderMode::Real),
        Some(other) => Err(SettingError::Malformed {
            name,
            why: format!("`{other}` is neither `local` nor `real`"),
        }),
    }
}

/// Per-provider modes: `ESIGN_PROVIDER_*` over the `--providers` default.
pub fn modes(src: &Source, default: ProviderMode) -> Result<Modes, SettingError> {
    Ok(Modes {
        wecom: mode(src, "ESIGN_PROVIDER_WECOM", default)?,
        sms: mode(src, "ESIGN_PROVIDER_SMS", default)?,
        ocr: mode(src, "ESIGN_PROVIDER_OCR", default)?,
        face: mode(src, "ESIGN_PROVIDER_FACE", default)?,
        real_name: mode(src, "ESIGN_PROVIDER_REALNAME", default)?,
        registry: mode(src, "ESIGN_PROVIDER_REGISTRY", default)?,
        directory: mode(src, "ESIGN_PROVIDER_DIRECTORY", default)?,
    })
}

struct Reader<'a> {
    src: &'a Source,
    when: &'static str,
}

impl Reader<'_> {
    fn required(&self, name: &'static str) -> Result<String, SettingError> {
        self.src.get(name).ok_or(SettingError::Missing {
            name,
            when: self.when,
        })
    }

    fn secret(&self, name: &'static str) -> Result<Secret, SettingError> {
        self.required(name).map(Secret)
    }

    fn url_or(&self, name: &'static str, default: &str) -> Result<String, SettingError> {
        let value = self.src.get(name).unwrap_or_else(|| default.to_owned());
        base_url(name, &value)
    }
}

/// An http(s) URL without a trailing `/` (nor a query: paths are appended to it).
fn base_url(name: &'static str, value: &str) -> Result<String, SettingError> {
    let malformed = |why: &str| SettingError::Malformed {
        name,
        why: why.to_owned(),
    };
    let url = url::Url::parse(value).map_err(|_| malformed("not a URL like https://host"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(malformed("must be an http(s) URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(malformed("must not have a query or fragment"));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// The settings of the real providers in `modes`, each checked.
pub fn load(src: &Source, modes: Modes) -> Result<RealSettings, SettingError> {
    let public_url = match (src.get("ESIGN_PUBLIC_URL"), modes.any_real()) {
        (Some(v), _) => Some(base_url("ESIGN_PUBLIC_URL", &v)?),
        (None, true) => {
            return Err(SettingError::Missing {
                name: "ESIGN_PUBLIC_URL",
                when: "when any provider is real",
            })
        }
        (None, false) => None,
    };
    let wecom = if modes.wecom == ProviderMode::Real {
        let r = Reader {
            src,
            when: "with real WeCom",
        };
        let aes_key = r.secret("ESIGN_WECOM_CALLBACK_AES_KEY")?;
        let valid = aes_key.expose().len() == 43
            && aes_key.expose().bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid {
            return Err(SettingError::Malformed {
                name: "ESIGN_WECOM_CALLBACK_AES_KEY",
                why: "must be the 43 letters and digits of the suite's EncodingAESKey".to_owned(),
            });
        }
        Some(WeComSettings {
            suite_id: r.required("ESIGN_WECOM_SUITE_ID")?,
            suite_secret: r.secret("ESIGN_WECOM_SUITE_SECRET")?,
            callback_token: r.secret("ESIGN_WECOM_CALLBACK_TOKEN")?,
            callback_aes_key: aes_key,
            provider_corpid: src.get("ESIGN_WECOM_PROVIDER_CORPID"),
            api_base: r.url_or("ESIGN_WECOM_API_BASE", "https://qyapi.weixin.qq.com")?,
            oauth_base: r.url_or("ESIGN_WECOM_OAUTH_BASE", "https://open.weixin.qq.com")?,
        })
    } else {
        None
    };
    let tencent_cloud = if modes.tencent_cloud() {
        let r = Reader {
            src,
            when: "with any real Tencent Cloud provider (SMS, OCR, face, real-name)",
        };
        Some(TencentCloudSettings {
            secret_id: r.required("ESIGN_TC_SECRET_ID")?,
            secret_key: r.secret("ESIGN_TC_SECRET_KEY")?,
            region: src
                .get("ESIGN_TC_REGION")
                .unwrap_or_else(|| "ap-guangzhou".to_owned()),
            endpoint_sms: r.url_or("ESIGN_TC_ENDPOINT_SMS", "https://sms.tencentcloudapi.com")?,
            endpoint_ocr: r.url_or("ESIGN_TC_ENDPOINT_OCR", "https://ocr.tencentcloudapi.com")?,
            endpoint_faceid: r.url_or(
                "ESIGN_TC_ENDPOINT_FACEID",
                "https://faceid.tencentcloudapi.com",
            )?,
        })
    } else {
        None
    };
    let sms = if modes.sms == ProviderMode::Real {
        let r = Reader {
            src,
            when: "with real SMS",
        };
        Some(SmsSettings {
            sdk_app_id: r.required("ESIGN_SMS_SDK_APP_ID")?,
            sign_name: r.required("ESIGN_SMS_SIGN_NAME")?,
            template_code: r.required("ESIGN_SMS_TEMPLATE_CODE")?,
            template_legal_rep: r.required("ESIGN_SMS_TEMPLATE_LEGAL_REP")?,
            template_super_admin: r.required("ESIGN_SMS_TEMPLATE_SUPER_ADMIN")?,
            template_invite: r.required("ESIGN_SMS_TEMPLATE_INVITE")?,
        })
    } else {
        None
    };
    let face = if modes.face == ProviderMode::Real {
        let r = Reader {
            src,
            when: "with real face verification",
        };
        Some(FaceSettings {
            rule_id: r.required("ESIGN_FACEID_RULE_ID")?,
        })
    } else {
        None
    };
    Ok(RealSettings {
        modes,
        public_url,
        wecom,
        tencent_cloud,
        sms,
        face,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AES: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    fn full() -> Vec<(&'static str, &'static str)> {
        vec![
            ("ESIGN_PUBLIC_URL", "https://esign.example.com/"),
            ("ESIGN_WECOM_SUITE_ID", "ww0123456789abcdef"),
            ("ESIGN_WECOM_SUITE_SECRET", "suite-secret-value"),
            ("ESIGN_WECOM_CALLBACK_TOKEN", "QDG6eK"),
            ("ESIGN_WECOM_CALLBACK_AES_KEY", AES),
            ("ESIGN_TC_SECRET_ID", "AKIDexample"),
            ("ESIGN_TC_SECRET_KEY", "tc-secret-key-value"),
            ("ESIGN_SMS_SDK_APP_ID", "1400006666"),
            ("ESIGN_SMS_SIGN_NAME", "腾讯电子签"),
            ("ESIGN_SMS_TEMPLATE_CODE", "1001"),
            ("ESIGN_SMS_TEMPLATE_LEGAL_REP", "1002"),
            ("ESIGN_SMS_TEMPLATE_SUPER_ADMIN", "1003"),
            ("ESIGN_SMS_TEMPLATE_INVITE", "1004"),
            ("ESIGN_FACEID_RULE_ID", "1"),
        ]
    }

    #[test]
    fn all_real_reads_every_setting_with_its_defaults() {
        let s = load(&Source::from_pairs(full()), Modes::all(ProviderMode::Real)).unwrap();
        assert_eq!(s.public_url.as_deref(), Some("https://esign.example.com"));
        let w = s.wecom.unwrap();
        assert_eq!(w.api_base, "https://qyapi.weixin.qq.com");
        assert_eq!(w.oauth_base, "https://open.weixin.qq.com");
        let tc = s.tencent_cloud.unwrap();
        assert_eq!(tc.region, "ap-guangzhou");
        assert_eq!(tc.endpoint_faceid, "https://faceid.tencentcloudapi.com");
        assert_eq!(s.face.unwrap().rule_id, "1");
    }

    #[test]
    fn a_missing_setting_is_named_and_no_secret_is_ever_shown() {
        for (name, _) in full() {
            let pairs: Vec<_> = full().into_iter().filter(|(k, _)| *k != name).collect();
            let err = load(&Source::from_pairs(pairs), Modes::all(ProviderMode::Real)).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
        let s = load(&Source::from_pairs(full()), Modes::all(ProviderMode::Real)).unwrap();
        let shown = format!("{s:?}");
        for secret in ["suite-secret-value", "tc-secret-key-value", AES, "QDG6eK"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn one_provider_can_be_real_alone() {
        let src = Source::from_pairs([
            ("ESIGN_PROVIDER_OCR", "local"),
            ("ESIGN_PUBLIC_URL", "https://e.example.com"),
            ("ESIGN_TC_SECRET_ID", "AKID"),
            ("ESIGN_TC_SECRET_KEY", "k"),
            ("ESIGN_FACEID_RULE_ID", "2"),
        ]);
        let mut m = modes(&src, ProviderMode::Local).unwrap();
        m.face = ProviderMode::Real;
        let s = load(&src, m).unwrap();
        assert!(s.wecom.is_none() && s.sms.is_none() && s.face.is_some());
        assert!(s.tencent_cloud.is_some());
        let bad = Source::from_pairs([("ESIGN_PROVIDER_SMS", "cloud")]);
        assert!(modes(&bad, ProviderMode::Local)
            .unwrap_err()
            .to_string()
            .contains("ESIGN_PROVIDER_SMS"));
    }

    #[test]
    fn malformed_values_are_refused_by_name() {
        let with = |name: &'static str, value: &'static str| {
            let pairs: Vec<_> = full()
                .into_iter()
                .map(|(k, v)| if k == name { (k, value) } else { (k, v) })
                .collect();
            load(&Source::from_pairs(pairs), Modes::all(ProviderMode::Real))
                .unwrap_err()
                .to_string()
        };
        assert!(
            with("ESIGN_WECOM_CALLBACK_AES_KEY", "short").contains("ESIGN_WECOM_CALLBACK_AES_KEY")
        );
        assert!(with("ESIGN_PUBLIC_URL", "esign.example.com").contains("ESIGN_PUBLIC_URL"));
        let e = with("ESIGN_WECOM_CALLBACK_AES_KEY", "x");
        assert!(!e.contains("\"x\""));
    }

    #[test]
    fn the_config_file_fills_in_what_the_environment_leaves() {
        let dir = std::env::temp_dir().join(format!("esign-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("esign.toml");
        std::fs::write(
            &path,
            "ESIGN_FACEID_RULE_ID = \"7\"\nESIGN_TC_REGION = \"ap-shanghai\"\n",
        )
        .unwrap();
        let src = Source::environment(Some(&path)).unwrap();
        assert_eq!(src.get("ESIGN_FACEID_RULE_ID").as_deref(), Some("7"));
        std::fs::write(&path, "ESIGN_TC_SECRET_KEY = secret-without-quotes\n").unwrap();
        let err = Source::environment(Some(&path)).err().unwrap().to_string();
        assert!(!err.contains("secret-without-quotes"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
