//! The HTTP API: ports, calls, the CRM's lookup of a call's web context, call
//! records, and a per-session event stream for browser pages.
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /api/v1/ports` | every port with its ANI, state and Call-ID |
//! | `GET /api/v1/ports/{port}` | one port and its call's context |
//! | `GET /api/v1/calls` | the calls the token may see, with their context |
//! | `GET /api/v1/calls/{call_id}` | one call by SIP Call-ID |
//! | `GET /api/v1/ani/{ani}` | the port with that ANI and its live call's context |
//! | `GET /api/v1/records?format=jsonl\|csv` | the call records the token may see |
//! | `GET /api/v1/sessions/{session_id}/token` | a signed, short-lived token for the session's event stream |
//! | `GET /api/v1/events?session_id=S&token=T` | Server-Sent Events of the calls of web session `S` |
//!
//! Served by [`server`]: bounded connections, head and keep-alive timeouts,
//! capped bodies.
//!
//! Access: `Authorization: Bearer TOKEN` (the scheme in any case; every 401
//! carries `WWW-Authenticate: Bearer`, RFC 6750). An operator token (`api.admin_tokens`)
//! sees everything; a merchant's CRM token (`merchants[].api_tokens`) sees only
//! calls whose `X-Merchant-Id` is that merchant: another merchant's call is 403.
//! No token, or an unknown one, is 401 unless `api.allow_anonymous` (loopback
//! demo only). The event stream needs the token the merchant's server got
//! for that session ([`session_token`]) and shows only that merchant's
//! calls; streams are capped per address and in total. Errors are JSON
//! `{"error": .., "message": ..}`.
//!
//! Handlers never touch the core: they send an [`ApiRequest`] to the runtime's
//! loop, which answers with [`answer`] from the core's current state.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::Stream;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, oneshot};

pub mod server;
pub mod session_token;

use crate::call::{CallView, Controller};
use crate::config::Config;
use crate::notify::Notification;
use crate::records::{CallRecord, Journal, CSV_HEADER};

/// What a token may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (operator).
    All,
    /// Calls of this merchant.
    Merchant(String),
}

impl Scope {
    fn allows(&self, merchant: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Merchant(m) => merchant == Some(m.as_str()),
        }
    }
}

/// Tokens and what they may see.
#[derive(Debug, Clone, Default)]
pub struct Access {
    anonymous: bool,
    tokens: HashMap<String, Scope>,
}

impl Access {
    /// From the configuration.
    pub fn from_config(config: &Config) -> Access {
        let mut tokens: HashMap<String, Scope> = config
            .api
            .admin_tokens
            .iter()
            .map(|t| (t.clone(), Scope::All))
            .collect();
        for m in &config.merchants {
            for t in &m.api_tokens {
                tokens.insert(t.clone(), Scope::Merchant(m.id.clone()));
            }
        }
        Access {
            anonymous: config.api.allow_anonymous,
            tokens,
        }
    }

    /// The scope of a request's `Authorization` header.
    pub fn scope(&self, headers: &HeaderMap) -> Result<Scope, ApiAnswer> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token);
        match token {
            Some(t) => self
                .tokens
                .get(t)
                .cloned()
                .ok_or_else(|| ApiAnswer::unauthorized("unknown token", true)),
            None if self.anonymous => Ok(Scope::All),
            None => Err(ApiAnswer::unauthorized(
                "an Authorization: Bearer token is required",
                false,
            )),
        }
    }
}

/// The token of an `Authorization: Bearer TOKEN` value; the scheme is
/// case-insensitive (RFC 6750 §2.1, RFC 9110 §11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A question for the core.
#[derive(Debug)]
pub enum ApiQuery {
    /// All ports (Call-IDs only of calls the scope may see).
    Ports(Scope),
    /// One port and its call.
    Port(u8, Scope),
    /// All calls the scope may see.
    Calls(Scope),
    /// One call by SIP Call-ID.
    Call(String, Scope),
    /// The port with this ANI and its call.
    Ani(String, Scope),
}

/// An answer: HTTP status and JSON body.
#[derive(Debug)]
pub struct ApiAnswer {
    /// The status.
    pub status: u16,
    /// The body.
    pub body: Value,
    /// `WWW-Authenticate` of a 401 (RFC 6750 §3).
    pub challenge: Option<&'static str>,
}

impl ApiAnswer {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        ApiAnswer {
            status: 200,
            body,
            challenge: None,
        }
    }

    /// 401 with a `WWW-Authenticate: Bearer` challenge; `invalid_token`
    /// when a token was given but is not known.
    pub fn unauthorized(message: &str, invalid_token: bool) -> Self {
        ApiAnswer {
            challenge: Some(if invalid_token {
                "Bearer realm=\"gateway\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"gateway\""
            }),
            ..ApiAnswer::error(401, "unauthorized", message.to_owned())
        }
    }

    /// An error with a JSON `{"error": .., "message": ..}` body.
    pub fn error(status: u16, error: &str, message: String) -> Self {
        ApiAnswer {
            status,
            body: json!({ "error": error, "message": message }),
            challenge: None,
        }
    }
}

/// A query and where its answer goes.
#[derive(Debug)]
pub struct ApiRequest {
    /// The question.
    pub query: ApiQuery,
    /// The answer.
    pub reply: oneshot::Sender<ApiAnswer>,
}

/// The wall-clock time of the core's instants.
#[derive(Debug, Clone, Copy)]
pub struct WallClock {
    /// An instant ...
    pub at: Instant,
    /// ... and the wall-clock time then.
    pub wall: SystemTime,
}

impl WallClock {
    /// Unix seconds of `t`.
    pub fn unix(&self, t: Instant) -> f64 {
        let wall = if t >= self.at {
            self.wall.checked_add(t - self.at)
        } else {
            self.wall.checked_sub(self.at - t)
        };
        wall.and_then(|w| w.duration_since(UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64())
    }
}

/// Answer a query from the core (runs on the runtime's loop).
pub fn answer(core: &Controller, query: ApiQuery, now: Instant, clock: WallClock) -> ApiAnswer {
    let stamp = |c: &CallView| {
        let started = now
            .checked_sub(Duration::from_millis(c.age_ms))
            .unwrap_or(now);
        let mut v = serde_json::to_value(c).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("started_unix".into(), json!(clock.unix(started)));
        }
        v
    };
    let scoped = |scope: &Scope, call: &CallView| -> Result<Value, ApiAnswer> {
        if scope.allows(call.context.merchant_id.as_deref()) {
            Ok(stamp(call))
        } else {
            Err(ApiAnswer::error(
                403,
                "forbidden",
                "the call belongs to another merchant".into(),
            ))
        }
    };
    match query {
        ApiQuery::Ports(scope) => {
            // A merchant's token does not see other merchants' Call-IDs.
            let visible: Vec<String> = core
                .calls_view(now)
                .iter()
                .filter(|c| scope.allows(c.context.merchant_id.as_deref()))
                .map(|c| c.context.call_id.clone())
                .collect();
            let mut ports = core.ports_view();
            for p in &mut ports {
                if p.call_id.as_ref().is_some_and(|id| !visible.contains(id)) {
                    p.call_id = None;
                }
            }
            ApiAnswer::ok(json!({ "ports": ports }))
        }
        ApiQuery::Calls(scope) => {
            let calls: Vec<_> = core
                .calls_view(now)
                .iter()
                .filter(|c| scope.allows(c.context.merchant_id.as_deref()))
                .map(stamp)
                .collect();
            ApiAnswer::ok(json!({ "calls": calls }))
        }
        ApiQuery::Call(call_id, scope) => {
            match core
                .calls_view(now)
                .iter()
                .find(|c| c.context.call_id == call_id)
            {
                None => ApiAnswer::error(404, "no-call", format!("no call with Call-ID {call_id}")),
                Some(c) => {
                    scoped(&scope, c).map_or_else(|e| e, |v| ApiAnswer::ok(json!({ "call": v })))
                }
            }
        }
        ApiQuery::Port(port, scope) => {
            let Some(p) = core.ports_view().into_iter().find(|p| p.port == port) else {
                return ApiAnswer::error(404, "unknown-port", format!("no port {port}"));
            };
            port_answer(core, now, &p.ani, scope, scoped)
        }
        ApiQuery::Ani(ani, scope) => port_answer(core, now, &ani, scope, scoped),
    }
}

fn port_answer(
    core: &Controller,
    now: Instant,
    ani: &str,
    scope: Scope,
    scoped: impl Fn(&Scope, &CallView) -> Result<Value, ApiAnswer>,
) -> ApiAnswer {
    match core.lookup_ani(now, ani) {
        None => ApiAnswer::error(404, "unknown-ani", format!("no port has ANI {ani}")),
        Some((_, None)) => ApiAnswer::error(
            404,
            "no-call",
            format!("no call on the port with ANI {ani}"),
        ),
        Some((port, Some(call))) => match scoped(&scope, &call) {
            Ok(v) => ApiAnswer::ok(json!({ "port": port, "call": v })),
            Err(e) => e,
        },
    }
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The runtime's loop, which answers from the core.
    pub core: mpsc::Sender<ApiRequest>,
    /// The call records journal, if records are kept.
    pub records: Option<PathBuf>,
    /// Who may see what.
    pub access: Arc<Access>,
    /// Call events, for the event stream.
    pub events: broadcast::Sender<Notification>,
    /// Signs and checks event-stream tokens.
    pub tokens: Arc<session_token::TokenIssuer>,
    /// Open event streams, bounded per address and in total.
    pub streams: Arc<server::Slots>,
}

/// The API's routes.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/api/v1/ports", get(ports))
        .route("/api/v1/ports/{port}", get(port))
        .route("/api/v1/calls", get(calls))
        .route("/api/v1/calls/{call_id}", get(call))
        .route("/api/v1/ani/{ani}", get(ani))
        .route("/api/v1/records", get(records))
        .route("/api/v1/sessions/{session_id}/token", get(session_token))
        .route("/api/v1/events", get(events))
        .fallback(not_found)
        .with_state(state)
}

async fn ask(core: &mpsc::Sender<ApiRequest>, query: ApiQuery) -> Response {
    let (tx, rx) = oneshot::channel();
    if core.send(ApiRequest { query, reply: tx }).await.is_err() {
        return reply(ApiAnswer::error(
            503,
            "unavailable",
            "the gateway is stopping".into(),
        ));
    }
    match rx.await {
        Ok(answer) => reply(answer),
        Err(_) => reply(ApiAnswer::error(
            503,
            "unavailable",
            "the gateway is stopping".into(),
        )),
    }
}

fn reply(answer: ApiAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(answer.body)).into_response();
    if let Some(challenge) = answer.challenge {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static(challenge),
        );
    }
    response
}

async fn ports(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    match state.access.scope(&headers) {
        Ok(scope) => ask(&state.core, ApiQuery::Ports(scope)).await,
        Err(e) => reply(e),
    }
}

async fn port(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(port): Path<String>,
) -> Response {
    let scope = match state.access.scope(&headers) {
        Ok(s) => s,
        Err(e) => return reply(e),
    };
    match port.parse::<u8>() {
        Ok(p) => ask(&state.core, ApiQuery::Port(p, scope)).await,
        Err(_) => reply(ApiAnswer::error(
            404,
            "unknown-port",
            format!("no port {port:?}"),
        )),
    }
}

async fn calls(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    match state.access.scope(&headers) {
        Ok(scope) => ask(&state.core, ApiQuery::Calls(scope)).await,
        Err(e) => reply(e),
    }
}

async fn call(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match state.access.scope(&headers) {
        Ok(scope) => ask(&state.core, ApiQuery::Call(id, scope)).await,
        Err(e) => reply(e),
    }
}

async fn ani(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(ani): Path<String>,
) -> Response {
    match state.access.scope(&headers) {
        Ok(scope) => ask(&state.core, ApiQuery::Ani(ani, scope)).await,
        Err(e) => reply(e),
    }
}

/// `?format=` of the records export.
#[derive(Debug, serde::Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn records(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let scope = match state.access.scope(&headers) {
        Ok(s) => s,
        Err(e) => return reply(e),
    };
    let Some(path) = state.records else {
        return reply(ApiAnswer::error(
            404,
            "no-records",
            "call records are not kept (records.path)".into(),
        ));
    };
    let csv = match q.format.as_deref() {
        None | Some("jsonl") => false,
        Some("csv") => true,
        Some(other) => {
            return reply(ApiAnswer::error(
                400,
                "bad-format",
                format!("format {other:?}: use jsonl or csv"),
            ))
        }
    };
    let read = tokio::task::spawn_blocking(move || Journal::read(&path)).await;
    let records: Vec<CallRecord> = match read.map_err(|e| e.to_string()) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return records_unreadable(e.to_string()),
        Err(e) => return records_unreadable(e),
    };
    let visible = records
        .iter()
        .filter(|r| scope.allows(r.merchant_id.as_deref()));
    let (content_type, body) = if csv {
        let mut text = format!("{CSV_HEADER}\n");
        for r in visible {
            text.push_str(&r.to_csv());
            text.push('\n');
        }
        ("text/csv", text)
    } else {
        let mut text = String::new();
        for r in visible {
            text.push_str(&serde_json::to_string(r).unwrap_or_default());
            text.push('\n');
        }
        ("application/x-ndjson", text)
    };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Longest session id accepted.
const MAX_SESSION_ID: usize = 128;

async fn session_token(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(session): Path<String>,
) -> Response {
    let scope = match state.access.scope(&headers) {
        Ok(s) => s,
        Err(e) => return reply(e),
    };
    if session.is_empty() || session.len() > MAX_SESSION_ID {
        return reply(ApiAnswer::error(
            400,
            "bad-session",
            format!("session ids have 1 to {MAX_SESSION_ID} characters"),
        ));
    }
    let (token, expires) = state.tokens.issue(&scope, &session, unix_now());
    reply(ApiAnswer::ok(json!({
        "session_id": session,
        "token": token,
        "expires_unix": expires,
    })))
}

/// 500 for an unreadable journal: the detail (a server path) goes to the
/// operator's log, not to the merchant's client.
fn records_unreadable(detail: String) -> Response {
    tracing::error!(error = %detail, "call records cannot be read");
    reply(ApiAnswer::error(
        500,
        "records-unreadable",
        "the call records cannot be read; the gateway's log says why".into(),
    ))
}

/// `?session_id=&token=` of the event stream.
#[derive(Debug, serde::Deserialize)]
struct EventsQuery {
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

async fn events(
    State(state): State<ApiState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<EventsQuery>,
) -> Response {
    let Some(session) = q.session_id.filter(|s| !s.is_empty()) else {
        return reply(ApiAnswer::error(
            400,
            "no-session",
            "give ?session_id=".into(),
        ));
    };
    let scope = match (q.token, state.access.anonymous) {
        (Some(token), _) => match state.tokens.check(&token, &session, unix_now()) {
            Ok(scope) => scope,
            Err(e) => return reply(ApiAnswer::unauthorized(&e.to_string(), true)),
        },
        (None, true) => Scope::All,
        (None, false) => {
            return reply(ApiAnswer::unauthorized(
                "give &token= from GET /api/v1/sessions/{session_id}/token",
                false,
            ))
        }
    };
    let Some(slot) = state.streams.take(peer.ip()) else {
        return reply(ApiAnswer::error(
            429,
            "too-many-streams",
            "too many event streams are open".into(),
        ));
    };
    let rx = state.events.subscribe();
    Sse::new(session_stream(rx, session, scope, slot))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The notifications of one web session that `scope` may see, as SSE
/// events named after the event. `slot` is held while the stream lives.
fn session_stream(
    rx: broadcast::Receiver<Notification>,
    session: String,
    scope: Scope,
    slot: server::Slot,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let state = (rx, session, scope, slot);
    futures_util::stream::unfold(state, |(mut rx, session, scope, slot)| async move {
        loop {
            match rx.recv().await {
                Ok(n)
                    if n.session_id.as_deref() == Some(session.as_str())
                        && scope.allows(n.merchant_id.as_deref()) =>
                {
                    let event = Event::default()
                        .event(n.event)
                        .data(serde_json::to_string(&n).unwrap_or_default());
                    return Some((Ok(event), (rx, session, scope, slot)));
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

async fn not_found() -> Response {
    reply(ApiAnswer::error(
        404,
        "not-found",
        "no such API path".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER\tabc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }
}
