//! Call records survive a `kill -9` of the gateway in the middle of a burst of
//! calls: every complete line in the journal is a record, nothing earlier is lost
//! or corrupted, and a restarted gateway appends to the same journal.

use std::net::UdpSocket;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod console_support;

use console_support::StoredGateway;
use gateway_tests::config::board;
use gateway_tests::gateway::tempdir::Dir;
use gateway_tests::{http, wait_for};

/// The SIP and API addresses a gateway on the store in `dir` bound.
fn addresses(dir: &Path) -> (std::net::SocketAddr, std::net::SocketAddr) {
    let status = std::fs::read_to_string(dir.join("status.json")).unwrap();
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let addr = |k: &str| status[k].as_str().unwrap().parse().unwrap();
    (addr("sip"), addr("api"))
}

fn invite(n: usize, sip: std::net::SocketAddr, local: std::net::SocketAddr) -> String {
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
    format!(
        "INVITE sip:alice@{sip} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};branch=z9hG4bK-burst-{n}\r\n\
         From: <sip:burst@{local}>;tag=b{n}\r\n\
         To: <sip:alice@{sip}>\r\n\
         Call-ID: burst-{n}@test\r\n\
         CSeq: 1 INVITE\r\n\
         Max-Forwards: 70\r\n\
         X-Merchant-Id: shop-1\r\n\
         Content-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
}

/// Complete lines in the journal, and whether its tail is torn.
fn lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Send `count` INVITEs (numbered from `first`) from a thread until told to stop.
fn burst(
    sip: std::net::SocketAddr,
    first: usize,
    count: usize,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let local = socket.local_addr().unwrap();
        let mut sent = 0;
        for n in first..first + count {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let _ = socket.send_to(invite(n, sip, local).as_bytes(), sip);
            sent += 1;
            // Pace the burst so the kill lands in its middle (not a timing crutch:
            // the assertions hold whatever the interleaving).
            std::thread::sleep(Duration::from_millis(2));
        }
        sent
    })
}

#[test]
fn records_survive_kill_9_mid_burst() {
    // The journal lives in the store (records stay inside it), and the
    // restarted gateway boots the same store.
    let dir = Dir::new("records");
    let journal = dir.path().join("journal").join("calls.jsonl");
    let config = format!(
        "{}\n[records]\npath = \"journal/calls.jsonl\"\n",
        board("sip:agent@127.0.0.1:9", "none").replace("@DIR@", &dir.path().display().to_string()),
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();

    let mut gw = StoredGateway::start(dir.path(), &[]);
    let (sip, _) = addresses(dir.path());
    let stop = Arc::new(AtomicBool::new(false));
    let sender = burst(sip, 0, 2000, stop.clone());
    wait_for(Duration::from_secs(30), || {
        (lines(&journal) >= 100).then_some(())
    })
    .expect("records are being written");
    // SIGKILL, by pid, in the middle of the burst.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(gw.pid() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_for(Duration::from_secs(10), || (!gw.is_running()).then_some(())).expect("killed");
    stop.store(true, Ordering::Relaxed);
    let sent = sender.join().unwrap();
    assert!(sent < 2000, "the kill landed mid-burst ({sent} sent)");

    let text = std::fs::read_to_string(&journal).unwrap();
    let complete: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .collect();
    assert!(complete.len() >= 100);
    let mut ids = std::collections::HashSet::new();
    for line in &complete {
        let v: serde_json::Value =
            serde_json::from_str(line).expect("every complete line is a record");
        assert_eq!(v["end_reason"], "rejected 404");
        assert_eq!(v["merchant_id"], "shop-1");
        assert!(
            ids.insert(v["call_id"].as_str().unwrap().to_string()),
            "no duplicates"
        );
    }
    drop(gw);

    // A new gateway on the same journal keeps every old record and appends.
    let _gw = StoredGateway::start(dir.path(), &[]);
    let (sip, api) = addresses(dir.path());
    let before = complete.len();
    let more = burst(sip, 5000, 20, Arc::new(AtomicBool::new(false)));
    assert_eq!(more.join().unwrap(), 20);
    wait_for(Duration::from_secs(20), || {
        (lines(&journal) >= before + 20).then_some(())
    })
    .expect("the restarted gateway appends");
    let (status, csv) = http::get(api, "/api/v1/records?format=csv").unwrap();
    assert_eq!(status, 200);
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("call_id,direction,port"));
    assert_eq!(rows.len(), 1 + before + 20, "header + every record");
    assert!(csv.contains("burst-5019@test"));
    let (status, jsonl) = http::get(api, "/api/v1/records").unwrap();
    assert_eq!(status, 200);
    assert_eq!(jsonl.lines().count(), before + 20);
    let (status, _) = http::get(api, "/api/v1/records?format=xml").unwrap();
    assert_eq!(status, 400);
}
