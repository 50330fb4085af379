//! Configuration: defaults, then an optional TOML file, then `TESSERA_*` environment
//! variables, then command-line flags. Unknown keys are refused by name, so a typo never
//! silently falls back to a default.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use tessera_domain::factor::MethodAssurance;
use tessera_domain::session::Assurance;
pub use tessera_notify::DeliveryConfig;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// The address people reach Tessera at (links in messages, HSTS when https); empty for
    /// `http://localhost:<port>` from `listen`.
    pub public_url: String,
    /// Folder for the SQLite database, the secret key and the lock file.
    pub data_dir: PathBuf,
    /// Empty for the embedded SQLite database in `data_dir`, or `postgres://...`.
    pub database_url: String,
    /// File with the key that seals secrets at rest; empty for `data_dir/secret.key`.
    /// Nodes that share a PostgreSQL database must share this key.
    pub secret_key_file: String,
    pub log: LogConfig,
    pub passwords: PasswordConfig,
    pub signin: SignInConfig,
    pub captcha: CaptchaSettings,
    pub registration: RegistrationSettings,
    pub housekeeping: HousekeepingConfig,
    pub delivery: DeliveryConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` for people, `json` for log collectors.
    pub format: String,
    /// A tracing filter: `info`, `debug`, `tessera_web=debug,info`, ...
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HousekeepingConfig {
    /// Delivered and failed messages are removed after this many days.
    pub message_retention_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    /// Sign-in form posts allowed per client address and minute (on each node).
    pub per_address_per_minute: u32,
    /// The assurance everyone's applications need at least (low, medium, high): above low,
    /// sign-in needs a second factor and nobody may remove their last one.
    pub required_assurance: Assurance,
    /// The assurance a password plus each second factor gives.
    pub assurance: MethodAssurance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptchaSettings {
    /// Leading zero bits of the browser's proof of work (0 to 32; 0: the typed code only).
    pub difficulty_bits: u32,
    /// New challenges per client address (IPv6: per /64) and minute, over all nodes; 0: no
    /// limit.
    pub per_address_per_minute: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSettings {
    /// Whether people may create their own account ("Create an account").
    pub open: bool,
    /// Registration posts allowed per client address and minute (on each node).
    pub per_address_per_minute: u32,
    /// Registration and notice e-mails per e-mail address and day, over all nodes; 0: no
    /// limit.
    pub per_email_per_day: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfig {
    /// Password hashes computed at once; 0 for the number of cores.
    pub hash_parallel: usize,
    /// Password hashes allowed to wait; beyond that requests get 503. 0 for 32 per core.
    pub hash_queue: usize,
    /// A file of leaked passwords' SHA-1 digests in hex, one per line (optionally `:count`),
    /// refused wherever a password is set; empty for the built-in list only.
    pub leaked_list_file: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: String::new(),
            data_dir: PathBuf::from("tessera-data"),
            database_url: String::new(),
            secret_key_file: String::new(),
            log: LogConfig {
                format: "text".into(),
                level: "info".into(),
            },
            passwords: PasswordConfig {
                hash_parallel: 0,
                hash_queue: 0,
                leaked_list_file: String::new(),
            },
            signin: SignInConfig {
                per_address_per_minute: 30,
                required_assurance: Assurance::Low,
                assurance: MethodAssurance::default(),
            },
            captcha: CaptchaSettings {
                difficulty_bits: u32::from(tessera_domain::captcha::DEFAULT_DIFFICULTY_BITS),
                per_address_per_minute: 30,
            },
            registration: RegistrationSettings {
                open: true,
                per_address_per_minute: 10,
                per_email_per_day: tessera_domain::registration::DEFAULT_PER_EMAIL_PER_DAY,
            },
            housekeeping: HousekeepingConfig {
                message_retention_days: 90,
            },
            delivery: DeliveryConfig::default(),
        }
    }
}

/// The documented defaults, as printed by `tessera config defaults`.
pub const DEFAULTS_TOML: &str = r#"# Tessera configuration. Every key may also be set as an environment variable:
# TESSERA_ + the key in upper case, with "__" between a section and its key
# (TESSERA_LISTEN, TESSERA_LOG__FORMAT). Unknown keys are refused. Variables named
# TESSERA_TEST_* belong to the test harness and are ignored here.

# Address and port to listen on.
listen = "127.0.0.1:8080"
# The address people reach Tessera at; https turns on HSTS.
# Empty: http://localhost with the port of "listen".
public_url = ""
# Folder for the SQLite database, the secret key and the lock file.
data_dir = "tessera-data"
# Empty: the embedded SQLite database in data_dir. Or postgres://user:password@host/db
database_url = ""
# The key that seals secrets at rest. Empty: data_dir/secret.key, created on first start.
# Nodes sharing one PostgreSQL database must use the same key.
secret_key_file = ""

[log]
# "text" for people, "json" for log collectors.
format = "text"
# A tracing filter, e.g. "info" or "tessera_web=debug,info".
level = "info"

[passwords]
# Password hashes computed at once; 0 means one per core.
hash_parallel = 0
# Password hashes allowed to wait before requests are answered 503; 0 means 32 per core.
hash_queue = 0
# A file of leaked passwords' SHA-1 digests in hex, one per line (":count" may follow), as
# public breach lists publish them. Empty: only the built-in list of common passwords.
leaked_list_file = ""

[signin]
# Sign-in form posts allowed per client address and minute, on each node (429 beyond).
per_address_per_minute = 30
# The assurance every person's applications need at least: "low" (a password alone),
# "medium" or "high". Above "low", signing in needs a second factor strong enough, and nobody
# may remove their last one.
required_assurance = "low"

[signin.assurance]
# The assurance a password plus each second factor gives a session.
sms = "medium"
voice = "medium"
authenticator_app = "medium"
security_key = "high"

[captcha]
# The check of forms anyone may post (creating an account). The browser proves some work:
# SHA-256 of a random nonce and its answer must start with this many zero bits (18: about
# 260 000 hashes, a few seconds; each bit more doubles it). 0 to 32; 0 turns it off and
# leaves the code in the picture or the recording.
difficulty_bits = 18
# New challenges per client address (an IPv6 address counts per /64) and minute, over all
# nodes; 0 for no limit.
per_address_per_minute = 30

[registration]
# Whether people may create their own account ("Create an account" on the sign-in page).
# Their accounts belong to the External level; each application environment decides
# whether it accepts them.
open = true
# "Create an account" posts allowed per client address and minute, on each node (429 beyond).
per_address_per_minute = 10
# Registration and notice e-mails per e-mail address and day, over all nodes; 0: no limit.
per_email_per_day = 5

[housekeeping]
# Delivered and failed messages are removed after this many days (the audit trail stays).
message_retention_days = 90

[delivery]
# How each channel is delivered. "console" prints messages to the log (development only:
# codes included); "smtp" sends e-mail; "gateway" posts SMS and voice messages to an HTTP
# gateway; "spool" writes each message as a JSON file for a relay of your own.
email = "console"
sms = "console"
voice = "console"
# A message that could not be delivered for this long is given up (and audited).
give_up_after_secs = 86400
# How often a node looks for messages queued by other nodes, in milliseconds.
poll_interval_ms = 2000

[delivery.smtp]
host = "localhost"
port = 587
# "starttls" (required upgrade), "tls" (implicit TLS, usually port 465) or "none" (a relay
# on the same machine only).
security = "starttls"
# Leave both empty for no authentication.
username = ""
password = ""
from = "Tessera <no-reply@localhost>"
timeout_secs = 15
# A PEM file of certificate authorities to trust besides the system's (an internal CA).
ca_file = ""

[delivery.gateway]
# A JSON POST per SMS or voice message; a 2xx answer means delivered.
url = ""
# {recipient} (E.164), {text} and {channel} ("sms" or "voice") are filled in as JSON strings.
body = '{"to": "{recipient}", "text": "{text}", "channel": "{channel}"}'
timeout_secs = 10

[delivery.gateway.headers]
# Authorization = "Bearer ..."

[delivery.spool]
# Empty: data_dir/spool.
dir = ""
"#;

/// What the command line says, applied last.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Load(String),
    #[error("configuration: {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

impl Config {
    /// Loads the configuration from its layers and checks every value.
    pub fn load(
        file: Option<&std::path::Path>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::MissingFile(file.to_path_buf()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        let config: Config = figment
            .merge(
                Env::prefixed("TESSERA_")
                    .split("__")
                    .ignore(&["CONFIG"])
                    // TESSERA_TEST_* belongs to the test harness, not to the server.
                    .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_")),
            )
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError::Load(describe(e)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        if self.listen.parse::<SocketAddr>().is_err() {
            return invalid(
                "listen",
                format!(
                    "'{}' is not an address and port such as 127.0.0.1:8080",
                    self.listen
                ),
            );
        }
        if !self.public_url.is_empty() {
            let url = self.public_url.trim_end_matches('/');
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if host.is_none_or(|h| h.is_empty() || h.contains(char::is_whitespace)) {
                return invalid(
                    "public_url",
                    format!(
                        "'{}' is not an http:// or https:// address",
                        self.public_url
                    ),
                );
            }
        }
        if !self.database_url.is_empty()
            && !["postgres://", "postgresql://", "sqlite:"]
                .iter()
                .any(|p| self.database_url.starts_with(p))
        {
            return invalid(
                "database_url",
                "must be empty (embedded SQLite), sqlite://PATH or postgres://...".into(),
            );
        }
        if !["text", "json"].contains(&self.log.format.as_str()) {
            return invalid(
                "log.format",
                format!("'{}' is neither text nor json", self.log.format),
            );
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return invalid(
                "log.level",
                format!("'{}' is not a log filter", self.log.level),
            );
        }
        if self.housekeeping.message_retention_days == 0 {
            return invalid(
                "housekeeping.message_retention_days",
                "must be more than 0".into(),
            );
        }
        if self.registration.per_address_per_minute == 0 {
            return invalid(
                "registration.per_address_per_minute",
                "must be more than 0".into(),
            );
        }
        if self.signin.per_address_per_minute == 0 {
            return invalid(
                "signin.per_address_per_minute",
                "must be more than 0".into(),
            );
        }
        if tessera_domain::captcha::Difficulty::new(self.captcha.difficulty_bits).is_err() {
            return invalid(
                "captcha.difficulty_bits",
                format!(
                    "{} is outside 0 to {}",
                    self.captcha.difficulty_bits,
                    tessera_domain::captcha::MAX_DIFFICULTY_BITS
                ),
            );
        }
        self.delivery.validate().map_err(|e| ConfigError::Invalid {
            key: e.key,
            message: e.message,
        })?;
        Ok(())
    }

    /// The database URL to open: the configured one, or the SQLite file in the data folder.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("tessera.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The public URL: the configured one, or `http://localhost:<port>` from `listen`.
    pub fn effective_public_url(&self) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.trim_end_matches('/').to_owned();
        }
        let port = self
            .listen
            .parse::<SocketAddr>()
            .map_or(8080, |addr| addr.port());
        format!("http://localhost:{port}")
    }

    pub fn secret_key_path(&self) -> PathBuf {
        if self.secret_key_file.is_empty() {
            self.data_dir.join("secret.key")
        } else {
            PathBuf::from(&self.secret_key_file)
        }
    }
}

/// Figment's error, with where the offending value came from (file, variable).
fn describe(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", e.path.join("."))
            };
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(source) => format!(" (in {} {source})", m.name),
                    None => format!(" (in {})", m.name),
                })
                .unwrap_or_default();
            format!("{key}{}{source}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
// figment::Jail fixes the closures' error type; it is large, and only tests use it.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let parsed: Config = toml::from_str(DEFAULTS_TOML).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn files_environment_and_flags_layer_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "t.toml",
                "listen = \"127.0.0.1:9000\"\n[log]\nformat = \"json\"\n",
            )?;
            jail.set_env("TESSERA_PUBLIC_URL", "https://id.example.org");
            jail.set_env("TESSERA_LOG__LEVEL", "debug");
            let overrides = Overrides {
                data_dir: Some("/srv/tessera".into()),
                ..Overrides::default()
            };
            let config = Config::load(Some(std::path::Path::new("t.toml")), &overrides).unwrap();
            assert_eq!(config.listen, "127.0.0.1:9000");
            assert_eq!(config.log.format, "json");
            assert_eq!(config.log.level, "debug");
            assert_eq!(config.public_url, "https://id.example.org");
            assert_eq!(config.data_dir, PathBuf::from("/srv/tessera"));
            assert_eq!(
                config.effective_database_url(),
                "sqlite:///srv/tessera/tessera.db"
            );
            assert_eq!(
                config.secret_key_path(),
                PathBuf::from("/srv/tessera/secret.key")
            );
            assert_eq!(config.effective_public_url(), "https://id.example.org");
            Ok(())
        });
        figment::Jail::expect_with(|jail| {
            jail.set_env("TESSERA_LISTEN", "0.0.0.0:9443");
            let config = Config::load(None, &Overrides::default()).unwrap();
            assert_eq!(config.effective_public_url(), "http://localhost:9443");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "t.toml",
                "listen = \"127.0.0.1:9000\"\n[log]\nfromat = \"json\"\n",
            )?;
            let error = Config::load(Some(std::path::Path::new("t.toml")), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(error.contains("fromat"), "{error}");
            assert!(error.contains("t.toml"), "{error}");
            Ok(())
        });
        figment::Jail::expect_with(|jail| {
            // The test harness's own variables are not configuration.
            jail.set_env("TESSERA_TEST_REQUIRE_POSTGRES", "1");
            assert!(Config::load(None, &Overrides::default()).is_ok());
            jail.set_env("TESSERA_LISTNE", "0.0.0.0:80");
            let error = Config::load(None, &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(error.contains("listne"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_named() {
        let cases = [
            ("TESSERA_LISTEN", "localhost", "listen"),
            ("TESSERA_PUBLIC_URL", "id.example.org", "public_url"),
            ("TESSERA_DATABASE_URL", "mysql://x", "database_url"),
            ("TESSERA_LOG__FORMAT", "xml", "log.format"),
            ("TESSERA_DELIVERY__EMAIL", "pigeon", "delivery.email"),
            ("TESSERA_DELIVERY__SMS", "gateway", "delivery.gateway.url"),
            ("TESSERA_PASSWORDS__HASH_QUEUE", "many", "hash_queue"),
            (
                "TESSERA_CAPTCHA__DIFFICULTY_BITS",
                "33",
                "captcha.difficulty_bits",
            ),
            ("TESSERA_CAPTCHA__DIFICULTY_BITS", "20", "dificulty_bits"),
        ];
        for (var, value, key) in cases {
            figment::Jail::expect_with(|jail| {
                jail.set_env(var, value);
                let error = Config::load(None, &Overrides::default())
                    .unwrap_err()
                    .to_string();
                assert!(error.contains(key), "{var}={value}: {error}");
                Ok(())
            });
        }
        let missing = Config::load(
            Some(std::path::Path::new("/nonexistent/t.toml")),
            &Overrides::default(),
        );
        assert!(matches!(missing, Err(ConfigError::MissingFile(_))));
    }
}
