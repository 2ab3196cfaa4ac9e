//! Where proton-local reads the bundle a template version names with
//! `source.s3 {bucket, key}`: a local folder (`--bundles DIR`, the object is
//! the file `DIR/<bucket>/<key>`) or an S3 API endpoint (`--s3-endpoint URL`
//! or `AWS_ENDPOINT_URL_S3`). Fetching happens before the request takes the
//! state lock; what it gives (bytes or the reason there are none) goes into
//! the registration.

use std::path::{Component, Path, PathBuf};
#[cfg(feature = "s3")]
use std::time::Duration;

#[cfg(feature = "s3")]
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

use super::archive::MAX_BUNDLE_BYTES;

/// What the registration gets: the bundle's bytes, or why there are none.
pub type Fetched = Result<Vec<u8>, SourceError>;

/// How long one S3 download may take.
#[cfg(feature = "s3")]
const S3_TIMEOUT: Duration = Duration::from_secs(30);

pub const HOW_TO: &str = "start proton-local with --bundles DIR (the bundle s3://BUCKET/KEY is the file DIR/BUCKET/KEY) or --s3-endpoint URL (an S3-compatible endpoint; AWS_ENDPOINT_URL_S3 works too)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("there is no template bundle source to read s3://{bucket}/{key} from: {HOW_TO}")]
    NotConfigured { bucket: String, key: String },
    #[error("the template bundle s3://{bucket}/{key} does not exist ({where_})")]
    NotFound {
        bucket: String,
        key: String,
        where_: String,
    },
    #[error("the template bundle s3://{bucket}/{key} is larger than 5 MB")]
    TooLarge { bucket: String, key: String },
    #[error(
        "proton-local cannot read s3://{bucket}/{key} from {endpoint}: it was built without the `s3` \
         feature (build it with `cargo build -p proton-local --features s3`, or start it with --bundles DIR)"
    )]
    #[cfg(not(feature = "s3"))]
    NoS3Support {
        bucket: String,
        key: String,
        endpoint: String,
    },
    #[error("the template bundle s3://{bucket}/{key} could not be read: {why}")]
    Unreadable {
        bucket: String,
        key: String,
        why: String,
    },
}

pub enum BundleSource {
    None,
    Dir(PathBuf),
    #[cfg(feature = "s3")]
    S3(Box<aws_sdk_s3::Client>),
    /// An S3 endpoint was asked for, but this build cannot speak S3.
    #[cfg(not(feature = "s3"))]
    S3Unsupported {
        endpoint: String,
    },
}

/// Which of the two sources the command line and environment pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceConfig {
    None,
    Dir(PathBuf),
    S3 { endpoint: String },
}

impl BundleSource {
    pub fn new(config: &SourceConfig, region: &str) -> BundleSource {
        match config {
            SourceConfig::None => BundleSource::None,
            SourceConfig::Dir(d) => BundleSource::Dir(d.clone()),
            #[cfg(feature = "s3")]
            SourceConfig::S3 { endpoint } => {
                BundleSource::S3(Box::new(s3_client(endpoint, region)))
            }
            #[cfg(not(feature = "s3"))]
            SourceConfig::S3 { endpoint } => {
                let _ = region;
                BundleSource::S3Unsupported {
                    endpoint: endpoint.clone(),
                }
            }
        }
    }

    /// The bundle a Create*TemplateVersion request names; None when the
    /// request names none (the operation then refuses it).
    pub async fn fetch_for_request(&self, body: &[u8]) -> Option<Fetched> {
        let input: serde_json::Value = serde_json::from_slice(body).ok()?;
        let s3 = &input["source"]["s3"];
        let (bucket, key) = (s3["bucket"].as_str()?, s3["key"].as_str()?);
        Some(self.fetch(bucket, key).await)
    }

    pub async fn fetch(&self, bucket: &str, key: &str) -> Fetched {
        let unreadable = |why: String| SourceError::Unreadable {
            bucket: bucket.to_string(),
            key: key.to_string(),
            why,
        };
        let not_found = |where_: String| SourceError::NotFound {
            bucket: bucket.to_string(),
            key: key.to_string(),
            where_,
        };
        let too_large = || SourceError::TooLarge {
            bucket: bucket.to_string(),
            key: key.to_string(),
        };
        match self {
            BundleSource::None => Err(SourceError::NotConfigured {
                bucket: bucket.to_string(),
                key: key.to_string(),
            }),
            BundleSource::Dir(dir) => {
                let path = object_path(dir, bucket, key)
                    .ok_or_else(|| unreadable("the key leaves the bundles folder".to_string()))?;
                let meta = match tokio::fs::metadata(&path).await {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(not_found(format!("no file {}", path.display())));
                    }
                    Err(e) => return Err(unreadable(format!("{}: {e}", path.display()))),
                };
                if meta.len() > MAX_BUNDLE_BYTES {
                    return Err(too_large());
                }
                tokio::fs::read(&path)
                    .await
                    .map_err(|e| unreadable(format!("{}: {e}", path.display())))
            }
            #[cfg(not(feature = "s3"))]
            BundleSource::S3Unsupported { endpoint } => Err(SourceError::NoS3Support {
                bucket: bucket.to_string(),
                key: key.to_string(),
                endpoint: endpoint.clone(),
            }),
            #[cfg(feature = "s3")]
            BundleSource::S3(client) => {
                let get = client.get_object().bucket(bucket).key(key).send();
                let out = match tokio::time::timeout(S3_TIMEOUT, get).await {
                    Err(_) => return Err(unreadable("S3 did not answer in 30 s".to_string())),
                    Ok(Err(e)) => {
                        let missing = e.as_service_error().is_some_and(|s| s.is_no_such_key())
                            || e.raw_response().is_some_and(|r| r.status().as_u16() == 404);
                        let detail = aws_sdk_s3::error::DisplayErrorContext(&e).to_string();
                        return Err(if missing {
                            not_found(format!("S3 answered: {detail}"))
                        } else {
                            unreadable(detail)
                        });
                    }
                    Ok(Ok(out)) => out,
                };
                if out
                    .content_length()
                    .is_some_and(|n| n < 0 || n as u64 > MAX_BUNDLE_BYTES)
                {
                    return Err(too_large());
                }
                let bytes = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| unreadable(e.to_string()))?
                    .into_bytes();
                if bytes.len() as u64 > MAX_BUNDLE_BYTES {
                    return Err(too_large());
                }
                Ok(bytes.to_vec())
            }
        }
    }
}

/// `DIR/<bucket>/<key>`, unless the key would step outside DIR.
fn object_path(dir: &Path, bucket: &str, key: &str) -> Option<PathBuf> {
    let rel = Path::new(bucket).join(key);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(rel))
}

#[cfg(feature = "s3")]
/// An S3 client for an endpoint (path-style addressing, which S3-compatible
/// servers expect), with credentials from the usual environment variables.
fn s3_client(endpoint: &str, region: &str) -> aws_sdk_s3::Client {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // Local S3-compatible servers accept any key pair; a real endpoint checks them.
    let credentials = Credentials::new(
        var("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "test".to_string()),
        var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| "test".to_string()),
        var("AWS_SESSION_TOKEN"),
        None,
        "proton-local environment",
    );
    let region = var("AWS_REGION").unwrap_or_else(|| region.to_string());
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(credentials)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_folder() {
        let d = Path::new("/b");
        assert_eq!(
            object_path(d, "bucket", "env/v1.tar.gz"),
            Some(PathBuf::from("/b/bucket/env/v1.tar.gz"))
        );
        assert_eq!(object_path(d, "bucket", "../../etc/passwd"), None);
        assert_eq!(object_path(d, "bucket", "/etc/passwd"), None);
    }
}
