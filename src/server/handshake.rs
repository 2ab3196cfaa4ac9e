//! The go-plugin handshake as Terraform runs it: the magic cookie, protocol negotiation, the one stdout
//! line that tells Terraform where to connect, and the reattach value of debug mode.

use std::fmt;

/// Environment variable Terraform sets so a plugin knows it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value, fixed by Terraform for every provider.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version; the client refuses anything else.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// tfplugin6, the only application protocol we speak.
pub const PROTOCOL_VERSION: u32 = 6;

/// True when the environment carries Terraform's cookie.
pub fn cookie_matches(value: Option<&str>) -> bool {
    value == Some(MAGIC_COOKIE_VALUE)
}

/// The client did not offer a protocol version we serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Terraform offered plugin protocol versions {offered:?}, but this provider only speaks protocol \
     {PROTOCOL_VERSION} (Terraform 1.0 or later, or OpenTofu)"
)]
pub struct UnsupportedProtocol {
    pub offered: String,
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (a comma list). Unset or empty means an
/// old client that expects the plugin's default, which is 6. Entries that are not numbers are ignored,
/// as go-plugin does.
pub fn negotiate(offered: Option<&str>) -> Result<u32, UnsupportedProtocol> {
    let Some(list) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_ours = list
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(UnsupportedProtocol {
            offered: list.to_owned(),
        })
    }
}

/// The single line printed on stdout once the server listens:
/// `CORE|APP|NETWORK|ADDRESS|grpc|CERT`, where CERT is empty without TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeLine {
    pub network: &'static str,
    pub address: String,
    /// The server certificate (DER, standard base64 without padding) when AutoMTLS is on.
    pub server_cert: Option<String>,
}

impl fmt::Display for HandshakeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{}|grpc|{}",
            self.network,
            self.address,
            self.server_cert.as_deref().unwrap_or("")
        )
    }
}

/// The `TF_REATTACH_PROVIDERS` value for a provider served in debug mode.
pub fn reattach_value(provider_address: &str, pid: u32, network: &str, address: &str) -> String {
    let value = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    });
    value.to_string()
}

/// Quotes a value for a POSIX shell (single quotes; embedded single quotes closed and escaped).
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// What a person sees when starting the binary by hand.
pub const NOT_LAUNCHED_BY_TERRAFORM: &str = "\
This binary is a plugin for Terraform and OpenTofu (the `proton` provider for AWS Proton).
It is not meant to be run directly: Terraform starts it when a configuration uses the provider.

To use it, declare the provider in your configuration:

    terraform {
      required_providers {
        proton = {
          source = \"proton-community/proton\"
        }
      }
    }

and run `terraform init`. To use a locally built binary instead of a released one, point a
`dev_overrides` block in your CLI configuration (~/.terraformrc, or the file named by
TF_CLI_CONFIG_FILE) at the directory containing it:

    provider_installation {
      dev_overrides {
        \"proton-community/proton\" = \"/path/to/directory/with/this/binary\"
      }
      direct {}
    }

To debug the provider, run it with `--debug`: it then serves without Terraform and prints a
TF_REATTACH_PROVIDERS value to export in the shell where you run terraform.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie() {
        assert!(cookie_matches(Some(MAGIC_COOKIE_VALUE)));
        assert!(!cookie_matches(None));
        assert!(!cookie_matches(Some("")));
        assert!(!cookie_matches(Some(&MAGIC_COOKIE_VALUE[1..])));
    }

    #[test]
    fn negotiation() {
        assert_eq!(negotiate(Some("5,6")), Ok(6));
        assert_eq!(negotiate(Some("6")), Ok(6));
        assert_eq!(negotiate(Some(" 6 , 5 ")), Ok(6));
        assert_eq!(negotiate(Some("x,6")), Ok(6));
        assert_eq!(negotiate(None), Ok(6));
        assert_eq!(negotiate(Some("")), Ok(6));
        assert_eq!(
            negotiate(Some("5")),
            Err(UnsupportedProtocol {
                offered: "5".into()
            })
        );
        assert!(negotiate(Some("4,5,7")).is_err());
        assert!(negotiate(Some("66")).is_err());
    }

    #[test]
    fn handshake_line_layout() {
        let plain = HandshakeLine {
            network: "unix",
            address: "/tmp/x/plugin.sock".into(),
            server_cert: None,
        };
        assert_eq!(plain.to_string(), "1|6|unix|/tmp/x/plugin.sock|grpc|");
        let tls = HandshakeLine {
            network: "tcp",
            address: "127.0.0.1:10001".into(),
            server_cert: Some("QUJD".into()),
        };
        assert_eq!(tls.to_string(), "1|6|tcp|127.0.0.1:10001|grpc|QUJD");
    }

    #[test]
    fn reattach_json_shape() {
        let text = reattach_value(
            "registry.terraform.io/proton-community/proton",
            42,
            "unix",
            "/tmp/p/plugin.sock",
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let p = &v["registry.terraform.io/proton-community/proton"];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/p/plugin.sock");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
