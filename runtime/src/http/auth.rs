//! Optional HTTP basic authentication: when credentials are configured, every request but the
//! ping must carry them, in an `Authorization: Basic` header (as InfluxDB subscriptions send
//! them from a destination URL's user info) or InfluxDB's `u=` and `p=` query parameters.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;

use super::query::Query;

/// The user name and password a client must present.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Whether the request presents these credentials.
    pub(crate) fn admit(&self, headers: &HeaderMap, query: &Query) -> bool {
        if let Some((user, password)) = basic_credentials(headers) {
            return self.matches(user.as_bytes(), password.as_bytes());
        }
        match (query.first("u"), query.first("p")) {
            (Some(user), Some(password)) => self.matches(user.as_bytes(), password.as_bytes()),
            _ => false,
        }
    }

    /// Compares without an early exit, so timing does not tell how much of a guess was right.
    fn matches(&self, user: &[u8], password: &[u8]) -> bool {
        let user_ok = constant_time_eq(user, self.username.as_bytes());
        let password_ok = constant_time_eq(password, self.password.as_bytes());
        user_ok & password_ok
    }
}

/// The user and password of an `Authorization: Basic` header, if it holds one.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let differing = a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y));
    differing == 0 && a.len() == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn credentials() -> Credentials {
        Credentials {
            username: "kap".into(),
            password: "s3cret".into(),
        }
    }

    fn header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn admits_basic_auth_and_query_credentials() {
        let none = Query::parse(None);
        let good = format!("Basic {}", STANDARD.encode("kap:s3cret"));
        assert!(credentials().admit(&header(&good), &none));
        assert!(credentials().admit(&header(&good.replace("Basic", "basic")), &none));
        assert!(credentials().admit(
            &HeaderMap::new(),
            &Query::parse(Some("db=x&u=kap&p=s3cret"))
        ));
    }

    #[test]
    fn refuses_anything_else() {
        let none = Query::parse(None);
        for bad in ["kap:s3cre", "kap:s3cretx", "kapx:s3cret", "kap", ":", ""] {
            let value = format!("Basic {}", STANDARD.encode(bad));
            assert!(!credentials().admit(&header(&value), &none), "{bad}");
        }
        assert!(!credentials().admit(&header("Bearer abc"), &none));
        assert!(!credentials().admit(&header("Basic !!!"), &none));
        assert!(!credentials().admit(&HeaderMap::new(), &none));
        assert!(!credentials().admit(&HeaderMap::new(), &Query::parse(Some("u=kap&p=nope"))));
        // A wrong header is not rescued by right query parameters.
        let wrong = format!("Basic {}", STANDARD.encode("kap:nope"));
        assert!(!credentials().admit(&header(&wrong), &Query::parse(Some("u=kap&p=s3cret"))));
    }
}
