//! Open CORS for browsers and wallets: every origin may call the server; preflight `OPTIONS` requests are
//! answered here and never reach the JSON-RPC service.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use http::{HeaderValue, Method, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use tower::{Layer, Service};

/// Adds open CORS headers to every response and answers preflight requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenCorsLayer;

impl<S> Layer<S> for OpenCorsLayer {
    type Service = OpenCors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OpenCors { inner }
    }
}

/// The service built by [`OpenCorsLayer`].
#[derive(Debug, Clone)]
pub struct OpenCors<S> {
    inner: S,
}

const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
const MAX_AGE_SECONDS: &str = "86400";

fn add_cors_headers(headers: &mut http::HeaderMap, requested_headers: Option<HeaderValue>) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOWED_METHODS));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        requested_headers.unwrap_or_else(|| HeaderValue::from_static("content-type")),
    );
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE_SECONDS));
}

impl<S> Service<HttpRequest> for OpenCors<S>
where
    S: Service<HttpRequest, Response = HttpResponse> + Send,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = HttpResponse;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let requested_headers = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        if request.method() == Method::OPTIONS {
            let mut response = HttpResponse::new(HttpBody::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            add_cors_headers(response.headers_mut(), requested_headers);
            return Box::pin(async move { Ok(response) });
        }
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            add_cors_headers(response.headers_mut(), requested_headers);
            Ok(response)
        })
    }
}
