//! Command line of proton-local. Hand-parsed: the interface is small and fixed
//! (tests depend on it), so a parser dependency would buy nothing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::bundle::source::SourceConfig;

pub const USAGE: &str = "\
proton-local: a local AWS Proton (2020-07-20) endpoint

USAGE: proton-local [OPTIONS]

  --listen ADDR           address to listen on (default 127.0.0.1:4599; port 0 picks a free port)
  --state FILE            keep state in FILE (durable across kill -9); default: in memory.
                          One proton-local per FILE: it holds a lock on FILE.lock while it
                          runs, and a second one on the same FILE exits with an error
  --bundles DIR           read template bundles from a folder: the bundle a template version
                          names as s3://BUCKET/KEY is the file DIR/BUCKET/KEY
  --s3-endpoint URL       read template bundles through the S3 API at URL (an S3-compatible
                          server; default: AWS_ENDPOINT_URL_S3). Credentials and region come from
                          AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION.
                          Without --bundles or an endpoint, every template version fails to register
  --deploy-seconds SECS   duration of deployments, registrations and deletes (default 2; 0 = immediate)
  --account AKID:SECRET:ACCOUNT
                          accept this key pair for a 12-digit account (repeatable;
                          default test:test:000000000000)
  --region REGION         default region (default us-east-1); requests use their SigV4 scope region
  --seed N                seed for fault injection and generated ids (default: random)
  --fail-rate F           fraction of requests answered 500 InternalServerException
  --throttle-rate F       fraction of requests answered 429 ThrottlingException
  --rate-limit N          answer 429 ThrottlingException to requests beyond N a second (all
                          accounts together; a bucket of N requests refilled at N a second, as
                          AWS throttles an account), N between 1 and 100000; default: no limit
  --drop-rate F           fraction of requests whose connection is closed without an answer
  --latency-ms N          delay every answer by N milliseconds
  --log-level LEVEL       error, warn, info, debug or trace (default info)
  --rendered DIR          keep each deployment's rendered infrastructure in
                          DIR/<account>/<region>/<resource>/<deployment id>/ (default: FILE.rendered
                          next to --state FILE; none without --state)
  --repositories DIR      a linked repository org/infra is the folder DIR/org/infra: self-managed
                          deployments write their Terraform there, as Proton's pull request would
  --quota NAME=N          change one of Proton's adjustable quotas (repeatable), per account and
                          region; defaults from the AWS Proton User Guide: templates=100
                          (environment and service templates together), template-versions=500
                          (per template), environments=100, services=1000, service-instances=20
                          (per service), components=100, environment-account-connections=5 (per
                          environment account); also repositories=1000
  -h, --help              print this help
  -V, --version           print the version

Which of Proton's documented rules proton-local enforces, the source of each and the test that
checks it: docs/proton-contract.md in the terraform-provider-proton repository.
";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub access_key_id: String,
    pub secret: String,
    pub account_id: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub state: Option<PathBuf>,
    /// `--bundles`: template bundles from a folder.
    pub bundles: Option<PathBuf>,
    /// `--s3-endpoint`: template bundles through the S3 API.
    pub s3_endpoint: Option<String>,
    pub deploy_seconds: f64,
    pub accounts: Vec<Account>,
    pub region: String,
    pub seed: Option<u64>,
    pub fail_rate: f64,
    pub throttle_rate: f64,
    /// `--rate-limit`: requests a second answered before ThrottlingException.
    pub rate_limit: Option<u32>,
    pub drop_rate: f64,
    pub latency_ms: u64,
    pub log_level: String,
    /// `--quota` overrides by quota name.
    pub quotas: BTreeMap<String, usize>,
    /// `--rendered`: where rendered infrastructure is kept.
    pub rendered: Option<PathBuf>,
    /// `--repositories`: the folders of linked repositories.
    pub repositories: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 4599)),
            state: None,
            bundles: None,
            s3_endpoint: None,
            deploy_seconds: 2.0,
            accounts: vec![],
            region: "us-east-1".to_string(),
            seed: None,
            fail_rate: 0.0,
            throttle_rate: 0.0,
            rate_limit: None,
            drop_rate: 0.0,
            latency_ms: 0,
            log_level: "info".to_string(),
            quotas: BTreeMap::new(),
            rendered: None,
            repositories: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{0} needs a value")]
    MissingValue(String),
    #[error("invalid value for {flag}: {value:?} ({why})")]
    Invalid {
        flag: String,
        value: String,
        why: &'static str,
    },
    #[error("invalid value for --quota: {0}")]
    Quota(String),
    #[error("unknown argument {0:?}")]
    Unknown(String),
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Run(Box<Config>),
    Help,
    Version,
}

fn invalid(flag: &str, value: &str, why: &'static str) -> ConfigError {
    ConfigError::Invalid {
        flag: flag.to_string(),
        value: value.to_string(),
        why,
    }
}

fn rate(flag: &str, value: &str) -> Result<f64, ConfigError> {
    match value.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(invalid(flag, value, "expected a number between 0 and 1")),
    }
}

pub fn parse_account(value: &str) -> Result<Account, ConfigError> {
    let parts: Vec<&str> = value.splitn(3, ':').collect();
    let [akid, secret, account] = parts.as_slice() else {
        return Err(invalid("--account", value, "expected AKID:SECRET:ACCOUNT"));
    };
    if akid.is_empty() || secret.is_empty() {
        return Err(invalid("--account", value, "empty access key or secret"));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("--account", value, "account must be 12 digits"));
    }
    Ok(Account {
        access_key_id: akid.to_string(),
        secret: secret.to_string(),
        account_id: account.to_string(),
    })
}

/// Parses the arguments after the program name. Accepts `--flag value` and `--flag=value`.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, ConfigError> {
    let mut cfg = Config::default();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ => {}
        }
        let mut value = || -> Result<String, ConfigError> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .ok_or_else(|| ConfigError::MissingValue(flag.clone())),
            }
        };
        match flag.as_str() {
            "--listen" => {
                let v = value()?;
                cfg.listen = v
                    .parse()
                    .map_err(|_| invalid(&flag, &v, "expected HOST:PORT"))?;
            }
            "--state" => cfg.state = Some(PathBuf::from(value()?)),
            "--rendered" => cfg.rendered = Some(PathBuf::from(value()?)),
            "--repositories" => cfg.repositories = Some(PathBuf::from(value()?)),
            "--bundles" => cfg.bundles = Some(PathBuf::from(value()?)),
            "--s3-endpoint" => {
                let v = value()?;
                if !(v.starts_with("http://") || v.starts_with("https://")) {
                    return Err(invalid(&flag, &v, "expected an http:// or https:// URL"));
                }
                cfg.s3_endpoint = Some(v);
            }
            "--deploy-seconds" => {
                let v = value()?;
                cfg.deploy_seconds = match v.parse::<f64>() {
                    Ok(f) if f.is_finite() && f >= 0.0 => f,
                    _ => return Err(invalid(&flag, &v, "expected seconds >= 0")),
                };
            }
            "--account" => cfg.accounts.push(parse_account(&value()?)?),
            "--region" => {
                let v = value()?;
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(invalid(&flag, &v, "expected a region name"));
                }
                cfg.region = v;
            }
            "--seed" => {
                let v = value()?;
                cfg.seed = Some(
                    v.parse()
                        .map_err(|_| invalid(&flag, &v, "expected an integer"))?,
                );
            }
            "--fail-rate" => cfg.fail_rate = rate(&flag, &value()?)?,
            "--throttle-rate" => cfg.throttle_rate = rate(&flag, &value()?)?,
            "--rate-limit" => {
                let v = value()?;
                cfg.rate_limit = match v.parse::<u32>() {
                    Ok(n) if (1..=100_000).contains(&n) => Some(n),
                    _ => {
                        return Err(invalid(
                            &flag,
                            &v,
                            "expected requests a second, 1 to 100000",
                        ));
                    }
                };
            }
            "--drop-rate" => cfg.drop_rate = rate(&flag, &value()?)?,
            "--latency-ms" => {
                let v = value()?;
                cfg.latency_ms = v
                    .parse()
                    .map_err(|_| invalid(&flag, &v, "expected milliseconds"))?;
            }
            "--log-level" => {
                let v = value()?.to_ascii_lowercase();
                if !["error", "warn", "info", "debug", "trace", "off"].contains(&v.as_str()) {
                    return Err(invalid(
                        &flag,
                        &v,
                        "expected error|warn|info|debug|trace|off",
                    ));
                }
                cfg.log_level = v;
            }
            "--quota" => {
                let (name, n) = crate::ops::quotas::parse(&value()?).map_err(ConfigError::Quota)?;
                cfg.quotas.insert(name, n);
            }
            _ => return Err(ConfigError::Unknown(arg)),
        }
    }
    if let (Some(_), Some(url)) = (&cfg.bundles, &cfg.s3_endpoint) {
        return Err(invalid(
            "--s3-endpoint",
            url,
            "give --bundles or --s3-endpoint, not both",
        ));
    }
    if cfg.accounts.is_empty() {
        cfg.accounts.push(Account {
            access_key_id: "test".into(),
            secret: "test".into(),
            account_id: "000000000000".into(),
        });
    }
    if cfg.rendered.is_none()
        && let Some(state) = &cfg.state
    {
        let mut name = state.clone().into_os_string();
        name.push(".rendered");
        cfg.rendered = Some(PathBuf::from(name));
    }
    Ok(Command::Run(Box::new(cfg)))
}

impl Config {
    /// Where template bundles come from: `--bundles`, else `--s3-endpoint`,
    /// else the endpoint in `AWS_ENDPOINT_URL_S3` (`env` looks variables up).
    pub fn bundle_source(&self, env: impl Fn(&str) -> Option<String>) -> SourceConfig {
        if let Some(dir) = &self.bundles {
            return SourceConfig::Dir(dir.clone());
        }
        match self
            .s3_endpoint
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL_S3").filter(|v| !v.is_empty()))
        {
            Some(endpoint) => SourceConfig::S3 { endpoint },
            None => SourceConfig::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, ConfigError> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run(c) => Ok(*c),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let c = run(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:4599");
        assert_eq!(c.deploy_seconds, 2.0);
        assert_eq!(c.accounts.len(), 1);
        assert_eq!(c.accounts[0].account_id, "000000000000");
        assert_eq!(c.region, "us-east-1");
    }

    #[test]
    fn flags() {
        let c = run(&[
            "--listen",
            "127.0.0.1:0",
            "--deploy-seconds=0.25",
            "--account",
            "AK:SE:CRET:111111111111",
            "--account",
            "B:C:222222222222",
            "--fail-rate",
            "0.5",
            "--seed",
            "7",
        ])
        .unwrap_err();
        // a secret may not contain ':' before the account, so the third part is invalid
        assert!(matches!(c, ConfigError::Invalid { .. }));
        let c = run(&[
            "--listen",
            "127.0.0.1:0",
            "--deploy-seconds=0.25",
            "--account",
            "B:C:222222222222",
            "--seed",
            "7",
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.deploy_seconds, 0.25);
        assert_eq!(c.accounts.len(), 1);
        assert_eq!(c.accounts[0].secret, "C");
        assert_eq!(c.seed, Some(7));
    }

    #[test]
    fn rejects_bad_values() {
        assert!(run(&["--fail-rate", "2"]).is_err());
        assert!(run(&["--deploy-seconds", "-1"]).is_err());
        assert!(run(&["--listen"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--account", "a:b:123"]).is_err());
        assert!(run(&["--quota", "widgets=1"]).is_err());
        assert!(run(&["--quota", "templates"]).is_err());
    }

    #[test]
    fn rendered_folder_follows_the_state_file() {
        assert_eq!(run(&[]).unwrap().rendered, None);
        let c = run(&["--state", "/tmp/p.json", "--repositories", "/r"]).unwrap();
        assert_eq!(c.rendered, Some(PathBuf::from("/tmp/p.json.rendered")));
        assert_eq!(c.repositories, Some(PathBuf::from("/r")));
        let c = run(&["--state", "/tmp/p.json", "--rendered=/out"]).unwrap();
        assert_eq!(c.rendered, Some(PathBuf::from("/out")));
    }

    #[test]
    fn bundle_sources() {
        fn env(v: Option<&'static str>) -> impl Fn(&str) -> Option<String> {
            move |_| v.map(str::to_string)
        }
        let c = run(&["--bundles", "/b"]).unwrap();
        assert_eq!(
            c.bundle_source(env(Some("http://x"))),
            SourceConfig::Dir("/b".into())
        );
        let c = run(&["--s3-endpoint", "http://127.0.0.1:9"]).unwrap();
        assert_eq!(
            c.bundle_source(env(Some("http://x"))),
            SourceConfig::S3 {
                endpoint: "http://127.0.0.1:9".into()
            }
        );
        let c = run(&[]).unwrap();
        assert_eq!(
            c.bundle_source(env(Some("http://x"))),
            SourceConfig::S3 {
                endpoint: "http://x".into()
            }
        );
        assert_eq!(c.bundle_source(env(None)), SourceConfig::None);
        assert!(run(&["--s3-endpoint", "localhost:9000"]).is_err());
        assert!(run(&["--bundles", "/b", "--s3-endpoint", "http://x"]).is_err());
    }

    #[test]
    fn quotas_repeat() {
        let c = run(&["--quota", "templates=3", "--quota=components=0"]).unwrap();
        assert_eq!(c.quotas.get("templates"), Some(&3));
        assert_eq!(c.quotas.get("components"), Some(&0));
    }
}
