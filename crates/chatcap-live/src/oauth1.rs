//! OAuth 1.0 request signing (HMAC-SHA1, RFC 5849), as LivePerson's Operations API takes it.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;

use crate::config::OAuth1Key;

/// RFC 5849's unreserved characters are left as they are; everything else is encoded.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// The `Authorization` header of a request to `url` (its query parameters are signed too).
///
/// # Examples
///
/// The example of the OAuth Core 1.0 specification (Appendix A.5):
///
/// ```
/// use chatcap_live::config::{OAuth1Key, Secret};
/// let key = OAuth1Key {
///     app_key: Secret::new("dpf43f3p2l4k3l03"),
///     app_secret: Secret::new("kd94hf93k423kf44"),
///     access_token: Secret::new("nnch734d00sl2jdk"),
///     access_token_secret: Secret::new("pfkkdhi9sl3r4s00"),
/// };
/// let url = reqwest::Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
/// let header = chatcap_live::oauth1::authorization("GET", &url, &key, "kllo9940pd9333jh", 1191242096);
/// assert!(header.contains(r#"oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D""#), "{header}");
/// ```
pub fn authorization(
    method: &str,
    url: &reqwest::Url,
    key: &OAuth1Key,
    nonce: &str,
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    let oauth = [
        ("oauth_consumer_key", key.app_key.expose()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_token", key.access_token.expose()),
        ("oauth_version", "1.0"),
    ];
    let mut params: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (enc(&k), enc(&v))).collect();
    params.extend(oauth.iter().map(|(k, v)| (enc(k), enc(v))));
    params.sort();
    let normalized = params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let mut base_url = url.clone();
    base_url.set_query(None);
    base_url.set_fragment(None);
    let base = format!("{}&{}&{}", method.to_ascii_uppercase(), enc(base_url.as_str()), enc(&normalized));
    let signing_key = format!("{}&{}", enc(key.app_secret.expose()), enc(key.access_token_secret.expose()));
    let signature = match Hmac::<Sha1>::new_from_slice(signing_key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(base.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    let mut header = String::from("OAuth ");
    let mut fields: Vec<(String, String)> = oauth.iter().map(|(k, v)| ((*k).to_owned(), enc(v))).collect();
    fields.push(("oauth_signature".to_owned(), enc(&signature)));
    fields.sort();
    header.push_str(&fields.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect::<Vec<_>>().join(", "));
    header
}
