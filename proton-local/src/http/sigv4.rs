//! AWS Signature Version 4 verification (header form), the way AWS services
//! check it: rebuild the canonical request from what arrived, derive the
//! signing key from the caller's secret and compare signatures.

use aws_lc_rs::{constant_time, digest, hmac};
use http::HeaderMap;

use crate::clock::{format_amz_date, parse_amz_date};
use crate::config::Account;
use crate::error::ApiError;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Largest accepted difference between the request time and ours.
const MAX_SKEW_SECS: i64 = 15 * 60;

/// Who signed the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub access_key_id: String,
    pub account_id: String,
    pub region: String,
}

/// The parts of a request the signature covers.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// Path as it arrived on the wire (still percent-encoded).
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    /// `host` for HTTP/2 requests, which carry it as :authority.
    pub authority: Option<&'a str>,
    pub body: &'a [u8],
}

struct AuthHeader<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn incomplete(msg: &str) -> ApiError {
    ApiError::IncompleteSignature(msg.to_string())
}

fn parse_authorization(value: &str) -> Result<AuthHeader<'_>, ApiError> {
    let rest = value.strip_prefix(ALGORITHM).ok_or_else(|| {
        incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm.")
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential
        .ok_or_else(|| incomplete("Authorization header requires 'Credential' parameter."))?;
    let signed = signed
        .ok_or_else(|| incomplete("Authorization header requires 'SignedHeaders' parameter."))?;
    let signature = signature
        .ok_or_else(|| incomplete("Authorization header requires 'Signature' parameter."))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope.as_slice() else {
        return Err(incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
        ));
    };
    Ok(AuthHeader {
        access_key_id,
        date,
        region,
        service,
        terminator,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data).as_ref().to_vec()
}

/// Percent-encodes everything but the unreserved characters (and '/' if asked).
fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len());
    for &b in input {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        if unreserved || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hexval = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hexval {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Canonical URI for non-S3 services: the wire path encoded once more, per
/// segment, which is what SDKs sign.
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    uri_encode(path.as_bytes(), true)
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k), false),
                uri_encode(&percent_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Trims and collapses runs of spaces, as the canonical form requires.
fn canonical_header_value(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn header_values(req: &SignedRequest<'_>, name: &str) -> Option<String> {
    let values: Vec<String> = req
        .headers
        .get_all(name)
        .iter()
        .map(|v| canonical_header_value(&String::from_utf8_lossy(v.as_bytes())))
        .collect();
    if values.is_empty() {
        if name == "host" {
            return req.authority.map(|a| a.to_string());
        }
        return None;
    }
    Some(values.join(","))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn signature_mismatch() -> ApiError {
    ApiError::InvalidSignature(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            .to_string(),
    )
}

/// Computes the hex signature for a request with the given secret.
fn compute_signature(
    req: &SignedRequest<'_>,
    auth: &AuthHeader<'_>,
    amz_date: &str,
    secret: &str,
) -> Result<String, ApiError> {
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = header_values(req, name).ok_or_else(signature_mismatch)?;
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&value);
        canonical_headers.push('\n');
    }
    let body_hash = sha256_hex(req.body);
    let payload_hash = match header_str(req.headers, "x-amz-content-sha256") {
        Some("UNSIGNED-PAYLOAD") => "UNSIGNED-PAYLOAD".to_string(),
        Some(declared) => {
            if !declared.eq_ignore_ascii_case(&body_hash) {
                return Err(ApiError::InvalidSignature(
                    "The provided 'x-amz-content-sha256' header does not match what was computed."
                        .to_string(),
                ));
            }
            declared.to_ascii_lowercase()
        }
        None => body_hash,
    };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        canonical_uri(req.path),
        canonical_query(req.query),
        canonical_headers,
        auth.signed_headers.join(";"),
        payload_hash
    );
    let scope = format!(
        "{}/{}/{}/{}",
        auth.date, auth.region, auth.service, auth.terminator
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    let k_region = hmac_sha256(&k_date, auth.region.as_bytes());
    let k_service = hmac_sha256(&k_region, auth.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, auth.terminator.as_bytes());
    Ok(hex(&hmac_sha256(&k_signing, string_to_sign.as_bytes())))
}

/// Checks the request's signature. `now` is epoch seconds.
pub fn verify(
    req: &SignedRequest<'_>,
    accounts: &[Account],
    service: &str,
    now: i64,
) -> Result<Identity, ApiError> {
    let Some(authorization) = header_str(req.headers, "authorization") else {
        return Err(ApiError::MissingAuthentication(
            "Missing Authentication Token".to_string(),
        ));
    };
    let auth = parse_authorization(authorization)?;
    let amz_date = header_str(req.headers, "x-amz-date").ok_or_else(|| {
        incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let Some(request_time) = parse_amz_date(amz_date) else {
        return Err(incomplete(
            "X-Amz-Date must be in the ISO8601 basic format YYYYMMDD'T'HHMMSS'Z'.",
        ));
    };
    let account = accounts
        .iter()
        .find(|a| a.access_key_id == auth.access_key_id)
        .ok_or_else(|| {
            ApiError::UnrecognizedClient(
                "The security token included in the request is invalid.".to_string(),
            )
        })?;
    if auth.terminator != "aws4_request" {
        return Err(ApiError::InvalidSignature(
            "Credential should be scoped with a valid terminator: 'aws4_request'.".to_string(),
        ));
    }
    if auth.service != service {
        return Err(ApiError::InvalidSignature(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(ApiError::InvalidSignature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'.",
            auth.date,
            amz_date.get(..8).unwrap_or(amz_date)
        )));
    }
    if auth.region.is_empty() {
        return Err(signature_mismatch());
    }
    if !auth.signed_headers.contains(&"host") {
        return Err(ApiError::InvalidSignature(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".to_string(),
        ));
    }
    if request_time < now - MAX_SKEW_SECS {
        return Err(ApiError::InvalidSignature(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            format_amz_date(now - MAX_SKEW_SECS),
            format_amz_date(now)
        )));
    }
    if request_time > now + MAX_SKEW_SECS {
        return Err(ApiError::InvalidSignature(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            format_amz_date(now + MAX_SKEW_SECS),
            format_amz_date(now)
        )));
    }
    let expected = compute_signature(req, &auth, amz_date, &account.secret)?;
    if constant_time::verify_slices_are_equal(expected.as_bytes(), auth.signature.as_bytes())
        .is_err()
    {
        return Err(signature_mismatch());
    }
    Ok(Identity {
        access_key_id: account.access_key_id.clone(),
        account_id: account.account_id.clone(),
        region: auth.region.to_string(),
    })
}

/// Signs a request the way an SDK does (tests and tools use it to talk to us).
#[cfg(test)]
#[allow(clippy::too_many_arguments)]
pub fn sign_for_test(
    method: &str,
    path: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    akid: &str,
    secret: &str,
    region: &str,
    service: &str,
    amz_date: &str,
) {
    use http::HeaderValue;
    headers.insert("x-amz-date", HeaderValue::from_str(amz_date).unwrap());
    let mut names: Vec<String> = headers.keys().map(|k| k.as_str().to_string()).collect();
    names.sort();
    names.dedup();
    let signed: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let date = &amz_date[..8];
    let auth = AuthHeader {
        access_key_id: akid,
        date,
        region,
        service,
        terminator: "aws4_request",
        signed_headers: signed.clone(),
        signature: "",
    };
    let req = SignedRequest {
        method,
        path,
        query: "",
        headers,
        authority: None,
        body,
    };
    let sig = compute_signature(&req, &auth, amz_date, secret).unwrap();
    let value = format!(
        "{ALGORITHM} Credential={akid}/{date}/{region}/{service}/aws4_request, SignedHeaders={}, Signature={sig}",
        signed.join(";")
    );
    headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn accounts() -> Vec<Account> {
        vec![Account {
            access_key_id: "AKIDEXAMPLE".into(),
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            account_id: "111122223333".into(),
        }]
    }

    /// AWS's published "get-vanilla" SigV4 test vector (service "service").
    #[test]
    fn published_get_vanilla_vector() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.amazonaws.com"));
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        headers.insert(
            "authorization",
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date, \
                 Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            ),
        );
        let req = SignedRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: &headers,
            authority: None,
            body: b"",
        };
        let now = parse_amz_date("20150830T123600Z").unwrap();
        let id = verify(&req, &accounts(), "service", now).unwrap();
        assert_eq!(id.account_id, "111122223333");
        assert_eq!(id.region, "us-east-1");
    }

    /// AWS's published "post-x-www-form-urlencoded" vector: a signed body.
    #[test]
    fn published_post_body_vector() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers.insert("host", HeaderValue::from_static("example.amazonaws.com"));
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        headers.insert(
            "authorization",
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, \
                 Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            ),
        );
        let req = SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            authority: None,
            body: b"Param1=value1",
        };
        let now = parse_amz_date("20150830T123600Z").unwrap();
        verify(&req, &accounts(), "service", now).unwrap();
        // One changed byte in the body breaks it.
        let req = SignedRequest {
            body: b"Param1=value2",
            ..req
        };
        assert!(matches!(
            verify(&req, &accounts(), "service", now),
            Err(ApiError::InvalidSignature(_))
        ));
    }

    #[test]
    fn query_is_canonicalised() {
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("x=a%20b"), "x=a%20b");
        assert_eq!(canonical_query("x=a b"), "x=a%20b");
        assert_eq!(canonical_header_value("  a   b  c "), "a b c");
    }

    fn signed(body: &[u8], akid: &str, secret: &str, date: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("127.0.0.1:4599"));
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("AwsProton20200720.ListServices"),
        );
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.0"),
        );
        sign_for_test(
            "POST",
            "/",
            &mut h,
            body,
            akid,
            secret,
            "eu-west-1",
            "proton",
            date,
        );
        h
    }

    #[test]
    fn rejects_wrong_key_secret_skew_and_missing() {
        let now = parse_amz_date("20240102T030405Z").unwrap();
        let accts = accounts();
        let ok = signed(b"{}", "AKIDEXAMPLE", &accts[0].secret, "20240102T030405Z");
        let req = |h| SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: h,
            authority: None,
            body: b"{}",
        };
        let id = verify(&req(&ok), &accts, "proton", now).unwrap();
        assert_eq!(id.region, "eu-west-1");

        let unknown = signed(b"{}", "NOPE", "x", "20240102T030405Z");
        assert!(matches!(
            verify(&req(&unknown), &accts, "proton", now),
            Err(ApiError::UnrecognizedClient(_))
        ));
        let bad_secret = signed(b"{}", "AKIDEXAMPLE", "wrong", "20240102T030405Z");
        assert!(matches!(
            verify(&req(&bad_secret), &accts, "proton", now),
            Err(ApiError::InvalidSignature(_))
        ));
        let old = signed(b"{}", "AKIDEXAMPLE", &accts[0].secret, "20240102T023405Z");
        assert!(matches!(
            verify(&req(&old), &accts, "proton", now),
            Err(ApiError::InvalidSignature(m)) if m.starts_with("Signature expired")
        ));
        let empty = HeaderMap::new();
        let err = verify(&req(&empty), &accts, "proton", now).unwrap_err();
        assert_eq!(err.type_name(), "MissingAuthenticationTokenException");
        assert_eq!(err.status(), 403);
        // Wrong service in the scope.
        assert!(matches!(
            verify(&req(&ok), &accts, "s3", now),
            Err(ApiError::InvalidSignature(_))
        ));
    }

    #[test]
    fn declared_payload_hash_must_match_the_body() {
        let now = parse_amz_date("20240102T030405Z").unwrap();
        let accts = accounts();
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("localhost"));
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_str(&sha256_hex(b"{}")).unwrap(),
        );
        sign_for_test(
            "POST",
            "/",
            &mut h,
            b"{}",
            "AKIDEXAMPLE",
            &accts[0].secret,
            "us-east-1",
            "proton",
            "20240102T030405Z",
        );
        let req = SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            authority: None,
            body: b"{}",
        };
        verify(&req, &accts, "proton", now).unwrap();
        let req = SignedRequest {
            body: b"{ }",
            ..req
        };
        assert!(verify(&req, &accts, "proton", now).is_err());
    }
}
