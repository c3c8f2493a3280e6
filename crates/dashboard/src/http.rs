//! The dashboard's HTTP routes as a tower layer in front of the JSON-RPC server: it answers `GET` requests
//! for its own paths and passes everything else (JSON-RPC POSTs, WebSocket upgrades, other paths) on.
//!
//! | path | answer |
//! |---|---|
//! | `/` | the page, with the current state (and `?message=HASH`'s life) inside it |
//! | `/app.js`, `/style.css` | the page's script and style |
//! | `/events` | server-sent events: `snapshot`, then `delta`s |
//! | `/api/state` | the state as JSON |
//! | `/api/message/{hash}` | one message's life as JSON, by message or transaction hash; 404 when unknown |

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use alloy_primitives::B256;
use http::{HeaderValue, Method, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;
use tower::{BoxError, Layer, Service};

use crate::{
    assets::{APP_JS, INDEX_HTML, INITIAL_PLACEHOLDER, STYLE_CSS, script_safe},
    dashboard::Shared,
    lookup::{LookupError, find_message},
    sse,
};

/// The layer that serves the dashboard (build it with [`crate::Dashboard::layer`]).
#[derive(Debug, Clone)]
pub struct DashboardLayer {
    shared: Arc<Shared>,
}

impl DashboardLayer {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl<S> Layer<S> for DashboardLayer {
    type Service = DashboardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DashboardService { inner, shared: self.shared.clone() }
    }
}

/// The service built by [`DashboardLayer`].
#[derive(Debug, Clone)]
pub struct DashboardService<S> {
    inner: S,
    shared: Arc<Shared>,
}

/// A route of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Page { message: Option<String> },
    Script,
    Style,
    Events,
    State,
    Message(String),
}

/// The dashboard route of a request, or `None` when the request is not the dashboard's.
fn route(request: &HttpRequest) -> Option<Route> {
    if request.method() != Method::GET || request.headers().contains_key(header::UPGRADE) {
        return None;
    }
    let query = request.uri().query().unwrap_or_default();
    match request.uri().path() {
        "/" | "/index.html" => {
            let message = query.split('&').find_map(|pair| pair.strip_prefix("message=")).map(str::to_string);
            Some(Route::Page { message })
        }
        "/app.js" => Some(Route::Script),
        "/style.css" => Some(Route::Style),
        "/events" => Some(Route::Events),
        "/api/state" => Some(Route::State),
        path => path.strip_prefix("/api/message/").map(|hash| Route::Message(hash.to_string())),
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: HttpBody) -> HttpResponse {
    let mut response = HttpResponse::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn json_response(status: StatusCode, value: &impl Serialize) -> HttpResponse {
    match serde_json::to_string(value) {
        Ok(text) => respond(status, "application/json", HttpBody::from(text)),
        Err(e) => respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
            HttpBody::from(json!({ "error": e.to_string() }).to_string()),
        ),
    }
}

fn parse_hash(text: &str) -> Option<B256> {
    text.parse::<B256>().ok()
}

fn bad_hash(text: &str) -> HttpResponse {
    json_response(StatusCode::BAD_REQUEST, &json!({ "error": format!("`{text}` is not a 32-byte hex hash") }))
}

async fn message_response(shared: &Shared, text: &str) -> HttpResponse {
    let Some(hash) = parse_hash(text) else { return bad_hash(text) };
    match find_message(shared, hash).await {
        Ok(message) => json_response(StatusCode::OK, &message),
        Err(e @ LookupError::NotFound(_)) => {
            json_response(StatusCode::NOT_FOUND, &json!({ "error": e.to_string() }))
        }
    }
}

async fn page(shared: &Shared, message: Option<String>) -> HttpResponse {
    let state = shared.tracker().snapshot();
    let lookup = match message {
        Some(text) => match parse_hash(&text) {
            Some(hash) => match find_message(shared, hash).await {
                Ok(found) => json!({ "query": text, "message": found }),
                Err(e) => json!({ "query": text, "error": e.to_string() }),
            },
            None => json!({ "query": text, "error": "not a 32-byte hex hash" }),
        },
        None => serde_json::Value::Null,
    };
    let initial = json!({ "state": state, "lookup": lookup }).to_string();
    let script =
        format!("<script id=\"initial\" type=\"application/json\">{}</script>", script_safe(&initial));
    let html = INDEX_HTML.replacen(INITIAL_PLACEHOLDER, &script, 1);
    respond(StatusCode::OK, "text/html; charset=utf-8", HttpBody::from(html))
}

async fn answer(shared: Arc<Shared>, route: Route) -> HttpResponse {
    match route {
        Route::Page { message } => page(&shared, message).await,
        Route::Script => respond(StatusCode::OK, "text/javascript; charset=utf-8", HttpBody::from(APP_JS)),
        Route::Style => respond(StatusCode::OK, "text/css; charset=utf-8", HttpBody::from(STYLE_CSS)),
        Route::State => {
            let state = shared.tracker().snapshot();
            json_response(StatusCode::OK, &state)
        }
        Route::Message(text) => message_response(&shared, &text).await,
        Route::Events => match sse::open(shared) {
            Some(body) => respond(StatusCode::OK, "text/event-stream", HttpBody::new(body)),
            None => json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "error": "too many open event streams" }),
            ),
        },
    }
}

impl<S> Service<HttpRequest> for DashboardService<S>
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
        match route(&request) {
            Some(route) => {
                let shared = self.shared.clone();
                Box::pin(async move { Ok(answer(shared, route).await) })
            }
            None => Box::pin(self.inner.call(request)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(uri: &str) -> HttpRequest {
        http::Request::builder().method(Method::GET).uri(uri).body(HttpBody::empty()).unwrap()
    }

    #[test]
    fn dashboard_paths_are_answered_and_rpc_and_websocket_requests_pass_through() {
        assert_eq!(route(&get("/")), Some(Route::Page { message: None }));
        assert_eq!(route(&get("/?message=0xab")), Some(Route::Page { message: Some("0xab".into()) }));
        assert_eq!(route(&get("/events")), Some(Route::Events));
        assert_eq!(route(&get("/api/message/0x12")), Some(Route::Message("0x12".into())));
        assert_eq!(route(&get("/metrics")), None);
        let post = http::Request::builder().method(Method::POST).uri("/").body(HttpBody::empty()).unwrap();
        assert_eq!(route(&post), None);
        let upgrade = http::Request::builder()
            .method(Method::GET)
            .uri("/")
            .header(header::UPGRADE, "websocket")
            .body(HttpBody::empty())
            .unwrap();
        assert_eq!(route(&upgrade), None);
    }
}
