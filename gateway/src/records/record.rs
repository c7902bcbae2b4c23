//! One call's record.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::call::FinishedCall;

/// What is kept about a finished call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// SIP Call-ID.
    pub call_id: String,
    /// `to-line` or `from-line`.
    pub direction: String,
    /// The line port, if one was used.
    pub port: Option<u8>,
    /// The port's ANI.
    pub ani: Option<String>,
    /// The number dialled on the line (to-line calls).
    pub destination: Option<String>,
    /// The IP client's URI.
    pub client_uri: String,
    /// The merchant behind the call (`X-Merchant-Id`).
    pub merchant_id: Option<String>,
    /// The web session (`X-Session-Id`).
    pub session_id: Option<String>,
    /// The SIP account that placed the call, if it authenticated.
    #[serde(default)]
    pub account: Option<String>,
    /// The page the call came from (`X-Page-Url`).
    pub source_page: Option<String>,
    /// Start, as Unix seconds.
    pub start_unix: f64,
    /// Answer, as Unix seconds, if answered.
    pub answer_unix: Option<f64>,
    /// End, as Unix seconds.
    pub end_unix: f64,
    /// Answered duration in milliseconds (0 if never answered).
    pub duration_ms: u64,
    /// Command sequences used, in order.
    pub commands: Vec<String>,
    /// How it ended (`busy`, `no-answer`, `far-end-hangup`, `client-bye`, `rejected 404`, ...).
    pub end_reason: String,
}

/// The CSV export's header line.
pub const CSV_HEADER: &str = "call_id,direction,port,ani,destination,client_uri,merchant_id,session_id,source_page,start_unix,answer_unix,end_unix,duration_ms,commands,end_reason,account";

fn csv_field(s: &str) -> String {
    // Fields from the network could start a spreadsheet formula when the CSV
    // is opened in a spreadsheet: neutralise them with a leading quote.
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    let s = s.as_str();
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl CallRecord {
    /// The record of a finished call; `unix` turns the core's instants into Unix
    /// seconds.
    pub fn from_finished(f: &FinishedCall, unix: impl Fn(Instant) -> f64) -> CallRecord {
        CallRecord {
            call_id: f.context.call_id.clone(),
            direction: f.direction.name().to_string(),
            port: f.port.map(|p| p.0),
            ani: f.ani.clone(),
            destination: f.destination.clone(),
            client_uri: f.context.client_uri.clone(),
            merchant_id: f.context.merchant_id.clone(),
            session_id: f.context.session_id.clone(),
            account: f.context.account.clone(),
            source_page: f.context.page_url.clone(),
            start_unix: unix(f.started),
            answer_unix: f.answered.map(&unix),
            end_unix: unix(f.ended),
            duration_ms: f.answered.map_or(0, |a| {
                f.ended.saturating_duration_since(a).as_millis() as u64
            }),
            commands: f.commands.clone(),
            end_reason: f.end_reason.clone(),
        }
    }

    /// One CSV line (RFC 4180 quoting), without the line end.
    pub fn to_csv(&self) -> String {
        let opt = |o: &Option<String>| csv_field(o.as_deref().unwrap_or(""));
        [
            csv_field(&self.call_id),
            csv_field(&self.direction),
            self.port.map(|p| p.to_string()).unwrap_or_default(),
            opt(&self.ani),
            opt(&self.destination),
            csv_field(&self.client_uri),
            opt(&self.merchant_id),
            opt(&self.session_id),
            opt(&self.source_page),
            format!("{:.3}", self.start_unix),
            self.answer_unix
                .map(|a| format!("{a:.3}"))
                .unwrap_or_default(),
            format!("{:.3}", self.end_unix),
            self.duration_ms.to_string(),
            csv_field(&self.commands.join(" ")),
            csv_field(&self.end_reason),
            opt(&self.account),
        ]
        .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let r = CallRecord {
            call_id: "a,b".into(),
            direction: "to-line".into(),
            port: Some(1),
            ani: None,
            destination: Some("1800".into()),
            client_uri: "sip:\"x\"@h".into(),
            merchant_id: None,
            session_id: None,
            account: None,
            source_page: None,
            start_unix: 1.5,
            answer_unix: None,
            end_unix: 2.0,
            duration_ms: 0,
            commands: vec!["*76".into(), "*22".into()],
            end_reason: "busy".into(),
        };
        assert_eq!(
            r.to_csv(),
            "\"a,b\",to-line,1,,1800,\"sip:\"\"x\"\"@h\",,,,1.500,,2.000,0,*76 *22,busy,"
        );
        assert_eq!(
            CSV_HEADER.split(',').count(),
            r.to_csv().split(',').count() - 1
        );
        // A field from the network cannot start a spreadsheet formula.
        let evil = CallRecord {
            session_id: Some("=HYPERLINK(\"http://x\")".into()),
            ..r
        };
        let line = evil.to_csv();
        assert!(
            line.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","),
            "{line}"
        );
    }
}
