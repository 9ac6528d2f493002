//! The configuration file of `chatcap serve`: the server, and one `[[source]]` per account.
//!
//! Secrets (tokens, credentials) may be written as `"${NAME}"` to be read from the environment
//! variable `NAME` when the file is loaded; they are kept in [`Secret`], whose `Debug` shows
//! nothing of them, and are never logged or echoed.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use chatcap_core::{Capacity, Stance};
use serde::Deserialize;

/// Why a configuration was refused: where in the file, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct ConfigError {
    /// Where: `line 3, column 1`, or a key path such as `source[0].auth`.
    pub at: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl ConfigError {
    fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self { at: at.into(), message: message.into() }
    }
}

/// A secret: a token or a credential. Its `Debug` is `***`; it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret's text, to send to the one party it is for.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The whole configuration, checked.
#[derive(Clone, Debug)]
pub struct Config {
    /// The server.
    pub server: ServerConfig,
    /// The sources, one per account, in file order.
    pub sources: Vec<SourceConfig>,
}

/// The `[server]` table.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where to listen (`listen`, default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// The bearer tokens accepted (`tokens`, plus `CHATCAP_TOKENS`); none means no
    /// authentication, which the server allows on a loopback address only.
    pub tokens: Vec<Secret>,
    /// What an offer on stale data decides (`stance`: `fail_closed`, the default, or
    /// `fail_open`); also the offer policy's stance when a handle time is missing.
    pub stance: Stance,
    /// The wait budget of `/v1/offer` when the request gives none (`max_wait_s`, default 120).
    pub default_max_wait_s: u32,
    /// Worker threads of the runtime (`workers`; default: one per core).
    pub workers: Option<usize>,
}

/// Which vendor API a source reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// LivePerson's legacy Chat Agent API (`availableAgents`) and Operations `queuestate`.
    LivePerson,
    /// LivePerson's messaging APIs: agent view status and Messaging Current Queue Health.
    LivePersonMessaging,
    /// Comm100 Live Chat v4 real-time API.
    Comm100,
    /// The built-in demo: the simulator plays a floor in accelerated time.
    Demo,
}

impl Kind {
    /// The name used in metrics and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::LivePerson => "liveperson",
            Kind::LivePersonMessaging => "liveperson_messaging",
            Kind::Comm100 => "comm100",
            Kind::Demo => "demo",
        }
    }
}

/// How a source authenticates with its vendor.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// A static bearer token (`{ bearer }`).
    Bearer(Secret),
    /// OAuth2 client credentials, exchanged for a bearer at LivePerson's Login Service
    /// (`{ client_id, client_secret }`, optional `username`).
    OAuth2 {
        /// The client id (sent as `appKey`).
        client_id: Secret,
        /// The client secret.
        client_secret: Secret,
    },
    /// An OAuth1 API key: requests to the Operations API are signed (HMAC-SHA1); the agent
    /// session's bearer comes from the Login Service with the same key
    /// (`{ app_key, app_secret, access_token, access_token_secret }`).
    OAuth1(OAuth1Key),
    /// Comm100: HTTP Basic with the agent's e-mail and API key (`{ email, api_key }`).
    ApiKey {
        /// The e-mail of the agent the key belongs to.
        email: Secret,
        /// The API key.
        api_key: Secret,
    },
    /// No credentials (the demo).
    None,
}

impl Auth {
    /// The secret texts, for redacting them from anything a vendor echoes.
    pub fn secrets(&self) -> Vec<String> {
        let all: Vec<&Secret> = match self {
            Auth::Bearer(b) => vec![b],
            Auth::OAuth2 { client_id, client_secret } => vec![client_id, client_secret],
            Auth::OAuth1(k) => vec![&k.app_key, &k.app_secret, &k.access_token, &k.access_token_secret],
            Auth::ApiKey { email: _, api_key } => vec![api_key],
            Auth::None => vec![],
        };
        all.into_iter().map(|s| s.expose().to_owned()).collect()
    }
}

/// The four parts of an OAuth1 key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuth1Key {
    /// The app (consumer) key.
    pub app_key: Secret,
    /// The app (consumer) secret.
    pub app_secret: Secret,
    /// The access token.
    pub access_token: Secret,
    /// The access token secret.
    pub access_token_secret: Secret,
}

/// One `[[source]]` table.
#[derive(Clone, Debug)]
pub struct SourceConfig {
    /// The vendor API.
    pub kind: Kind,
    /// The account id (Comm100: the site id); the routes' `accountId` and `account`.
    pub account_id: String,
    /// Where every vendor call goes, skipping the Domain API; `None`: the vendor's hosts.
    pub base_url: Option<String>,
    /// LivePerson's Domain API (`domain_api`, default `https://api.liveperson.net`).
    pub domain_api: String,
    /// Time between polls.
    pub poll_interval: Duration,
    /// Age past which the data is stale.
    pub stale_after: Duration,
    /// Mean handle time behind `maxWaitTime` and estimates.
    pub aht: Option<Duration>,
    /// Timeout of every vendor call (`timeout_s`, default 10).
    pub timeout: Duration,
    /// The credentials.
    pub auth: Auth,
    /// The login name sent to LivePerson's Login Service (`username`, default `chatcap`).
    pub username: String,
    /// `skillIds` of the queuestate calls (`skill_ids`, default `all`).
    pub skill_ids: String,
    /// What Comm100's `maxConcurrentChats: 0` stands for (`zero_max_chats`, default 3).
    pub zero_max_chats: Capacity,
    /// `/v1/offer` declines while this many visitors or more wait (`max_queue`).
    pub max_queue: Option<u64>,
    /// The demo's speed-up: simulated seconds per real second (`speed`, default 60).
    pub speed: f64,
}

impl SourceConfig {
    /// The source's name in metrics, logs and readiness: `kind:account`.
    pub fn name(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.account_id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: Option<String>,
    #[serde(default)]
    tokens: Vec<String>,
    stance: Option<String>,
    max_wait_s: Option<i64>,
    workers: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    kind: String,
    api: Option<String>,
    account_id: Option<String>,
    site_id: Option<String>,
    base_url: Option<String>,
    domain_api: Option<String>,
    poll_interval_s: Option<f64>,
    stale_after_s: Option<f64>,
    aht_s: Option<f64>,
    timeout_s: Option<f64>,
    auth: Option<BTreeMap<String, String>>,
    username: Option<String>,
    skill_ids: Option<String>,
    zero_max_chats: Option<toml::Value>,
    max_queue: Option<i64>,
    speed: Option<f64>,
}

/// The shortest token accepted: anything shorter is guessable.
pub const MIN_TOKEN_LEN: usize = 16;

impl Config {
    /// Reads and checks a configuration; `env` looks up environment variables (for `"${NAME}"`
    /// secrets and `CHATCAP_TOKENS`, a comma-separated list of more tokens).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_live::Config;
    /// let text = r#"
    /// [server]
    /// tokens = ["${BOT_TOKEN}"]
    /// [[source]]
    /// kind = "liveperson"
    /// account_id = "12345678"
    /// auth = { bearer = "${LP_BEARER}" }
    /// "#;
    /// let env = |name: &str| (name != "CHATCAP_TOKENS").then(|| format!("value-of-{name}-long-enough"));
    /// let config = Config::from_toml(text, &env)?;
    /// assert_eq!(config.server.tokens[0].expose(), "value-of-BOT_TOKEN-long-enough");
    /// assert_eq!(format!("{:?}", config.server.tokens), "[***]");
    /// # Ok::<(), chatcap_live::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the line and column or the key, and what was expected.
    pub fn from_toml(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!("line {line}, column {column}")
                })
                .unwrap_or_else(|| "config".to_owned());
            ConfigError::new(at, e.message().to_owned())
        })?;
        let server = server(raw.server, env)?;
        let mut sources = Vec::with_capacity(raw.source.len());
        for (i, s) in raw.source.into_iter().enumerate() {
            sources.push(source(s, &format!("source[{i}]"), env)?);
        }
        let config = Config { server, sources };
        config.check_accounts()?;
        Ok(config)
    }

    /// The demo's configuration: one demo source, no token, on `listen`.
    pub fn demo(listen: SocketAddr) -> Config {
        Config {
            server: ServerConfig {
                listen,
                tokens: Vec::new(),
                stance: Stance::FailClosed,
                default_max_wait_s: 120,
                workers: None,
            },
            sources: vec![SourceConfig {
                kind: Kind::Demo,
                account_id: "demo".to_owned(),
                base_url: None,
                domain_api: String::new(),
                poll_interval: Duration::from_secs(1),
                stale_after: Duration::from_secs(10),
                aht: Some(Duration::from_secs(420)),
                timeout: Duration::from_secs(10),
                auth: Auth::None,
                username: String::new(),
                skill_ids: "all".to_owned(),
                zero_max_chats: Capacity::Limited(3),
                max_queue: None,
                speed: 60.0,
            }],
        }
    }

    fn check_accounts(&self) -> Result<(), ConfigError> {
        for (i, s) in self.sources.iter().enumerate() {
            if let Some(j) = self.sources[..i].iter().position(|o| o.account_id == s.account_id) {
                return Err(ConfigError::new(
                    format!("source[{i}].account_id"),
                    format!(
                        "account {:?} is also source[{j}]'s; routes name sources by account, so each needs its own",
                        s.account_id
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn resolve(value: &str, at: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Secret, ConfigError> {
    match value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        Some(name) => match env(name) {
            Some(v) if !v.is_empty() => Ok(Secret(v)),
            _ => Err(ConfigError::new(at, format!("environment variable {name} is not set or empty"))),
        },
        None => Ok(Secret(value.to_owned())),
    }
}

fn server(raw: RawServer, env: &dyn Fn(&str) -> Option<String>) -> Result<ServerConfig, ConfigError> {
    let listen_text = raw.listen.as_deref().unwrap_or("127.0.0.1:8080");
    let listen: SocketAddr = listen_text.parse().map_err(|_| {
        ConfigError::new(
            "server.listen",
            format!("{listen_text:?}: expected an address and port such as 127.0.0.1:8080"),
        )
    })?;
    let mut tokens = Vec::new();
    for (i, t) in raw.tokens.iter().enumerate() {
        tokens.push(resolve(t, &format!("server.tokens[{i}]"), env)?);
    }
    if let Some(list) = env("CHATCAP_TOKENS") {
        tokens.extend(list.split(',').map(str::trim).filter(|t| !t.is_empty()).map(|t| Secret(t.to_owned())));
    }
    for (i, t) in tokens.iter().enumerate() {
        if t.0.chars().count() < MIN_TOKEN_LEN {
            let at = if i < raw.tokens.len() {
                format!("server.tokens[{i}]")
            } else {
                "CHATCAP_TOKENS".to_owned()
            };
            return Err(ConfigError::new(
                at,
                format!(
                    "a token of {} characters; expected at least {MIN_TOKEN_LEN} (a long random string)",
                    t.0.chars().count()
                ),
            ));
        }
        if t.0.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::new(
                "server.tokens",
                "a token holds white space; expected a plain string",
            ));
        }
    }
    let stance = match raw.stance.as_deref() {
        None | Some("fail_closed") => Stance::FailClosed,
        Some("fail_open") => Stance::FailOpen,
        Some(other) => {
            return Err(ConfigError::new(
                "server.stance",
                format!("{other:?}: expected \"fail_closed\" or \"fail_open\""),
            ));
        }
    };
    let default_max_wait_s = match raw.max_wait_s {
        None => 120,
        Some(w) if (0..=86_400).contains(&w) => w as u32,
        Some(w) => {
            return Err(ConfigError::new("server.max_wait_s", format!("{w}: expected 0 to 86400 seconds")));
        }
    };
    let workers = match raw.workers {
        None => None,
        Some(n) if (1..=1024).contains(&n) => Some(n as usize),
        Some(n) => {
            return Err(ConfigError::new("server.workers", format!("{n}: expected 1 to 1024 threads")));
        }
    };
    Ok(ServerConfig { listen, tokens, stance, default_max_wait_s, workers })
}

fn secs(value: Option<f64>, default: f64, at: &str, min: f64, max: f64) -> Result<Duration, ConfigError> {
    let v = value.unwrap_or(default);
    if v.is_finite() && v >= min && v <= max {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(ConfigError::new(at, format!("{v}: expected a number of seconds from {min} to {max}")))
    }
}

fn source(
    raw: RawSource,
    at: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SourceConfig, ConfigError> {
    let kind = match (raw.kind.as_str(), raw.api.as_deref()) {
        ("liveperson", None | Some("legacy")) => Kind::LivePerson,
        ("liveperson", Some("messaging")) => Kind::LivePersonMessaging,
        ("liveperson", Some(other)) => {
            return Err(ConfigError::new(
                format!("{at}.api"),
                format!("{other:?}: expected \"legacy\" (the default) or \"messaging\""),
            ));
        }
        ("comm100", None) => Kind::Comm100,
        ("comm100", Some(_)) => {
            return Err(ConfigError::new(format!("{at}.api"), "comm100 sources take no api key"));
        }
        ("demo", None) => Kind::Demo,
        (other, _) => {
            return Err(ConfigError::new(
                format!("{at}.kind"),
                format!("{other:?}: expected \"liveperson\", \"comm100\" or \"demo\""),
            ));
        }
    };
    let account_id = match (raw.account_id, raw.site_id) {
        (Some(a), None) | (None, Some(a)) => a,
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                at,
                "both account_id and site_id; give one (site_id is Comm100's name)",
            ));
        }
        (None, None) => return Err(ConfigError::new(at, "missing account_id (Comm100: site_id)")),
    };
    if account_id.is_empty()
        || account_id.len() > 64
        || !account_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ConfigError::new(
            format!("{at}.account_id"),
            format!("{account_id:?}: expected 1 to 64 letters, digits, '-' or '_'"),
        ));
    }
    if let Some(url) = &raw.base_url {
        check_url(url, &format!("{at}.base_url"))?;
    }
    let domain_api = raw.domain_api.unwrap_or_else(|| "https://api.liveperson.net".to_owned());
    check_url(&domain_api, &format!("{at}.domain_api"))?;
    let poll_interval = secs(raw.poll_interval_s, 2.0, &format!("{at}.poll_interval_s"), 0.05, 3600.0)?;
    let stale_after = secs(raw.stale_after_s, 10.0, &format!("{at}.stale_after_s"), 0.1, 86_400.0)?;
    if stale_after <= poll_interval {
        return Err(ConfigError::new(
            format!("{at}.stale_after_s"),
            format!(
                "{} s is not longer than poll_interval_s ({} s): every answer would be stale between polls",
                stale_after.as_secs_f64(),
                poll_interval.as_secs_f64()
            ),
        ));
    }
    let aht = raw.aht_s.map(|a| secs(Some(a), 0.0, &format!("{at}.aht_s"), 0.001, 1e9)).transpose()?;
    let timeout = secs(raw.timeout_s, 10.0, &format!("{at}.timeout_s"), 0.01, 600.0)?;
    let auth = auth(kind, raw.auth, &format!("{at}.auth"), env)?;
    let zero_max_chats = match raw.zero_max_chats {
        None => Capacity::Limited(3),
        Some(toml::Value::String(s)) if s == "unlimited" => Capacity::Unlimited,
        Some(toml::Value::Integer(n)) if (0..=i64::from(u32::MAX)).contains(&n) => {
            Capacity::Limited(n as u32)
        }
        Some(v) => {
            return Err(ConfigError::new(
                format!("{at}.zero_max_chats"),
                format!("{v}: expected a number of chats or \"unlimited\""),
            ));
        }
    };
    let max_queue = match raw.max_queue {
        None => None,
        Some(q) if q >= 0 => Some(q as u64),
        Some(q) => {
            return Err(ConfigError::new(format!("{at}.max_queue"), format!("{q}: expected 0 or more")));
        }
    };
    let speed = raw.speed.unwrap_or(60.0);
    if !(speed.is_finite() && (0.01..=100_000.0).contains(&speed)) {
        return Err(ConfigError::new(format!("{at}.speed"), format!("{speed}: expected 0.01 to 100000")));
    }
    let skill_ids = raw.skill_ids.unwrap_or_else(|| "all".to_owned());
    if !(skill_ids == "all"
        || (!skill_ids.is_empty()
            && skill_ids
                .split(',')
                .all(|s| !s.trim().is_empty() && s.trim().chars().all(|c| c.is_ascii_alphanumeric()))))
    {
        return Err(ConfigError::new(
            format!("{at}.skill_ids"),
            format!("{skill_ids:?}: expected \"all\" or skill ids separated by commas"),
        ));
    }
    Ok(SourceConfig {
        kind,
        account_id,
        base_url: raw.base_url.map(|u| u.trim_end_matches('/').to_owned()),
        domain_api: domain_api.trim_end_matches('/').to_owned(),
        poll_interval,
        stale_after,
        aht,
        timeout,
        auth,
        username: raw.username.unwrap_or_else(|| "chatcap".to_owned()),
        skill_ids,
        zero_max_chats,
        max_queue,
        speed,
    })
}

fn check_url(url: &str, at: &str) -> Result<(), ConfigError> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(ConfigError::new(at, format!("{url:?}: expected an http:// or https:// address"))),
    }
}

fn auth(
    kind: Kind,
    raw: Option<BTreeMap<String, String>>,
    at: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Auth, ConfigError> {
    let expected = match kind {
        Kind::LivePerson | Kind::LivePersonMessaging => {
            "{ bearer }, { client_id, client_secret } or { app_key, app_secret, access_token, access_token_secret }"
        }
        Kind::Comm100 => "{ email, api_key } or { bearer }",
        Kind::Demo => "no auth",
    };
    let Some(raw) = raw else {
        return match kind {
            Kind::Demo => Ok(Auth::None),
            _ => Err(ConfigError::new(at, format!("missing; expected {expected}"))),
        };
    };
    let keys: Vec<&str> = raw.keys().map(String::as_str).collect();
    let get = |k: &str| resolve(&raw[k], &format!("{at}.{k}"), env);
    let auth = match (kind, keys.as_slice()) {
        (Kind::LivePerson | Kind::LivePersonMessaging | Kind::Comm100, ["bearer"]) => {
            Auth::Bearer(get("bearer")?)
        }
        (Kind::LivePerson | Kind::LivePersonMessaging, ["client_id", "client_secret"]) => {
            Auth::OAuth2 { client_id: get("client_id")?, client_secret: get("client_secret")? }
        }
        (
            Kind::LivePerson | Kind::LivePersonMessaging,
            ["access_token", "access_token_secret", "app_key", "app_secret"],
        ) => Auth::OAuth1(OAuth1Key {
            app_key: get("app_key")?,
            app_secret: get("app_secret")?,
            access_token: get("access_token")?,
            access_token_secret: get("access_token_secret")?,
        }),
        (Kind::Comm100, ["api_key", "email"]) => {
            Auth::ApiKey { email: get("email")?, api_key: get("api_key")? }
        }
        _ => {
            return Err(ConfigError::new(at, format!("keys {{ {} }}: expected {expected}", keys.join(", "))));
        }
    };
    Ok(auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "LP_SECRET" => Some("s3cr3t-from-env".to_owned()),
            "CHATCAP_TOKENS" => None,
            _ => None,
        }
    }

    fn check_err(text: &str, at: &str, message_part: &str) {
        let err = Config::from_toml(text, &env).unwrap_err();
        assert_eq!(err.at, at, "{err}");
        assert!(err.message.contains(message_part), "{err}");
    }

    #[test]
    fn the_issue_example_reads() {
        let text = r#"
[server]
listen = "127.0.0.1:8080"
tokens = ["a-long-random-token"]
stance = "fail_closed"

[[source]]
kind = "liveperson"
account_id = "12345678"
base_url = "http://127.0.0.1:9000"
poll_interval_s = 2
stale_after_s = 10
aht_s = 420
auth = { client_id = "id", client_secret = "${LP_SECRET}" }
"#;
        let c = Config::from_toml(text, &env).unwrap();
        assert_eq!(c.server.tokens.len(), 1);
        let s = &c.sources[0];
        assert_eq!((s.kind, s.account_id.as_str()), (Kind::LivePerson, "12345678"));
        assert_eq!(s.aht, Some(Duration::from_secs(420)));
        let Auth::OAuth2 { client_secret, .. } = &s.auth else { panic!("{:?}", s.auth) };
        assert_eq!(client_secret.expose(), "s3cr3t-from-env");
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn mistakes_name_their_place() {
        check_err("[server]\nlisten = \"nowhere\"\n", "server.listen", "expected an address");
        check_err("[server]\ntokens = [\"short\"]\n", "server.tokens[0]", "at least 16");
        check_err("[server]\nstance = \"open\"\n", "server.stance", "fail_open");
        check_err("[server]\nlisten = 3\n", "line 2, column 10", "string");
        check_err("[[source]]\nkind = \"genesys\"\naccount_id = \"1\"\n", "source[0].kind", "expected");
        check_err("[[source]]\nkind = \"liveperson\"\naccount_id = \"1\"\n", "source[0].auth", "missing");
        check_err(
            "[[source]]\nkind = \"comm100\"\nsite_id = \"1\"\nauth = { client_id = \"a\", client_secret = \"b\" }\n",
            "source[0].auth",
            "email, api_key",
        );
        check_err(
            "[[source]]\nkind = \"liveperson\"\naccount_id = \"1\"\nauth = { bearer = \"${NOPE}\" }\n",
            "source[0].auth.bearer",
            "NOPE is not set",
        );
        check_err(
            "[[source]]\nkind = \"liveperson\"\naccount_id = \"1\"\npoll_interval_s = 5\nstale_after_s = 5\nauth = { bearer = \"x\" }\n",
            "source[0].stale_after_s",
            "not longer",
        );
        check_err(
            "[[source]]\nkind = \"demo\"\naccount_id = \"a\"\n[[source]]\nkind = \"demo\"\naccount_id = \"a\"\n",
            "source[1].account_id",
            "also source[0]",
        );
        check_err("[sever]\n", "line 1, column 2", "unknown field");
    }

    #[test]
    fn tokens_come_from_the_environment_too() {
        let env =
            |n: &str| (n == "CHATCAP_TOKENS").then(|| "token-number-one-xx, token-number-two-xx".to_owned());
        let c = Config::from_toml("", &env).unwrap();
        assert_eq!(c.server.tokens.len(), 2);
        let env = |n: &str| (n == "CHATCAP_TOKENS").then(|| "short".to_owned());
        assert_eq!(Config::from_toml("", &env).unwrap_err().at, "CHATCAP_TOKENS");
    }
}
