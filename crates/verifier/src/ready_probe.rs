//! `GET /ready` on the RPC port: the readiness probe load balancers and orchestrators poll. It answers `200` with
//! the text `OK` while the probe says ready, and `503` with the probe's one-line reason otherwise; every other
//! request (JSON-RPC POSTs, WebSocket upgrades, the dashboard's pages) passes on untouched.
//!
//! One implementation serves both ports that have a probe: `superlink verify`'s, where ready means caught up with
//! the chains ([`crate::ReadinessPolicy`]), and the devnet's control port, where it means the devnet is up (as
//! supersim's admin server answers it).

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderValue, Method, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use tower::{BoxError, Layer, Service, layer::util::Stack, util::BoxCloneServiceLayer};

use crate::observe::HttpLayer;

/// The path of the readiness probe.
pub const READY_PATH: &str = "/ready";

/// What `GET /ready` answers from: `Ok` when ready, else the reason (one line). Called on every probe, so it
/// must be cheap and must not block.
#[derive(Clone)]
pub struct ReadyProbe(Arc<dyn Fn() -> Result<(), String> + Send + Sync>);

impl ReadyProbe {
    /// A probe that asks `ready`.
    pub fn new(ready: impl Fn() -> Result<(), String> + Send + Sync + 'static) -> Self {
        Self(Arc::new(ready))
    }

    /// What the probe says now.
    pub fn ask(&self) -> Result<(), String> {
        (self.0)()
    }
}

impl fmt::Debug for ReadyProbe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReadyProbe")
    }
}

/// `inner` (when given) with `GET /ready` answered from `probe` in front of it.
pub fn ready_layer(inner: Option<HttpLayer>, probe: ReadyProbe) -> HttpLayer {
    let ready = ReadyLayer { probe };
    match inner {
        Some(inner) => BoxCloneServiceLayer::new(Stack::new(inner, ready)),
        None => BoxCloneServiceLayer::new(ready),
    }
}

/// The layer that answers `GET /ready` (built by [`ready_layer`]).
#[derive(Debug, Clone)]
struct ReadyLayer {
    probe: ReadyProbe,
}

impl<S> Layer<S> for ReadyLayer {
    type Service = ReadyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ReadyService { inner, probe: self.probe.clone() }
    }
}

/// The service built by [`ReadyLayer`]: `GET /ready` is answered, every other request passes on.
#[derive(Debug, Clone)]
struct ReadyService<S> {
    inner: S,
    probe: ReadyProbe,
}

/// Whether `request` is the readiness probe.
fn is_ready_probe(request: &HttpRequest) -> bool {
    request.method() == Method::GET
        && request.uri().path() == READY_PATH
        && !request.headers().contains_key(header::UPGRADE)
}

/// The probe's answer: `200 OK` when ready, `503` with the reason (its first line) otherwise.
fn ready_response(ready: Result<(), String>) -> HttpResponse {
    let (status, text) = match ready {
        Ok(()) => (StatusCode::OK, "OK".to_string()),
        Err(reason) => {
            (StatusCode::SERVICE_UNAVAILABLE, reason.lines().next().unwrap_or_default().to_string())
        }
    };
    let mut response = HttpResponse::new(HttpBody::from(text));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

impl<S> Service<HttpRequest> for ReadyService<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Send,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        if is_ready_probe(&request) {
            let response = ready_response(self.probe.ask());
            Box::pin(async move { Ok(response) })
        } else {
            Box::pin(self.inner.call(request))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn only_get_ready_is_the_probe() {
        let request = |method: Method, path: &str| {
            http::Request::builder().method(method).uri(path).body(HttpBody::empty()).unwrap()
        };
        assert!(is_ready_probe(&request(Method::GET, "/ready")));
        assert!(!is_ready_probe(&request(Method::POST, "/ready")));
        assert!(!is_ready_probe(&request(Method::GET, "/")));
    }

    #[test]
    fn the_answer_is_ok_or_the_first_line_of_the_reason() {
        assert_eq!(ready_response(Ok(())).status(), StatusCode::OK);
        let unready = ready_response(Err("chain 901: catching up\nmore".into()));
        assert_eq!(unready.status(), StatusCode::SERVICE_UNAVAILABLE);
        let probe = ReadyProbe::new(|| Err("starting".into()));
        assert_eq!(probe.ask(), Err("starting".to_string()));
    }
}
