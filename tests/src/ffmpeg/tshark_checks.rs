//! tshark's checks on a [`RoundTrip`]'s capture: what the gateway and ffmpeg
//! sent, decoded by an independent dissector, and how the gateway's media
//! ended.

use super::{strings, tshark_read, RoundTrip, SENT_SECONDS};

/// tshark's checks on the capture: no malformed packet; the gateway's RTP (of
/// payload type `pt`), RTCP sender reports and RFC 4733 events `1` and `2`
/// decoded; ffmpeg's RTP toward the gateway decoded. Returns tshark's
/// protocol hierarchy for the report.
pub fn check_capture(rt: &RoundTrip, pt: u8) -> String {
    let file = &rt.capture;
    let c = rt.client_port;
    let gw = rt.gateway_rtp.port();
    let base = dissect_args(rt);
    let query = |filter: &str, fields: &[&str]| -> Vec<String> {
        let mut a = base.clone();
        a.extend(strings(&["-Y", filter, "-T", "fields"]));
        for f in fields {
            a.extend(strings(&["-e", f]));
        }
        tshark_read(file, &a)
    };

    let all = query("frame", &["frame.number"]);
    let malformed = query(
        "_ws.malformed || _ws.expert.severity >= error",
        &["frame.number", "_ws.col.Info"],
    );
    assert!(
        malformed.is_empty(),
        "tshark finds {} malformed/error packets of {}:\n{}",
        malformed.len(),
        all.len(),
        malformed.join("\n")
    );

    // The gateway's RTP to the client, with the negotiated payload type.
    let to_client = format!("udp.srcport=={gw} && udp.dstport=={c}");
    let rtp = query(
        &format!("{to_client} && rtp && rtp.version==2 && rtp.p_type=={pt}"),
        &["rtp.seq"],
    );
    assert!(
        rtp.len() > 300,
        "gateway RTP packets decoded: {}",
        rtp.len()
    );
    // Its RTCP: sender reports with its SDES.
    let rtcp = query(
        &format!(
            "udp.srcport=={} && udp.dstport=={} && rtcp.pt==200 && rtcp.sdes.type==1",
            gw + 1,
            c + 1
        ),
        &["rtcp.senderssrc"],
    );
    assert!(
        !rtcp.is_empty(),
        "no RTCP sender report with CNAME from the gateway"
    );
    // Its RFC 4733 events: the far party's 1 and 2, each ended.
    let events = query(
        &format!("{to_client} && rtpevent"),
        &["rtpevent.event_id", "rtpevent.end_of_event"],
    );
    let ids: Vec<&str> = events.iter().filter_map(|l| l.split('\t').next()).collect();
    assert!(
        ids.contains(&"1") && ids.contains(&"2"),
        "events: {events:?}"
    );
    assert!(
        events
            .iter()
            .filter(|l| l.ends_with("\t1") || l.ends_with("True"))
            .count()
            >= 2,
        "no end-of-event packets: {events:?}"
    );
    // ffmpeg's RTP and RTCP to the gateway.
    let from_ffmpeg = query(
        &format!("udp.srcport=={c} && udp.dstport=={gw} && rtp.p_type=={pt}"),
        &["rtp.seq"],
    );
    assert!(
        from_ffmpeg.len() >= (SENT_SECONDS as usize) * 50 * 9 / 10,
        "ffmpeg's RTP packets decoded: {}",
        from_ffmpeg.len()
    );
    let ffmpeg_rtcp = query(
        &format!("udp.srcport=={} && rtcp", c + 1),
        &["frame.number"],
    );
    eprintln!(
        "tshark: {} frames, gateway RTP {}, gateway RTCP SR {}, gateway events {}, ffmpeg RTP {}, ffmpeg RTCP {}",
        all.len(),
        rtp.len(),
        rtcp.len(),
        events.len(),
        from_ffmpeg.len(),
        ffmpeg_rtcp.len()
    );
    let mut a = base.clone();
    a.extend(strings(&["-q", "-z", "io,phs"]));
    tshark_read(file, &a).join("\n")
}

/// tshark's decoding of the capture: SIP on the gateway's port, RTP on the
/// client's port and RTCP on the next (heuristic RTP for the rest).
fn dissect_args(rt: &RoundTrip) -> Vec<String> {
    let c = rt.client_port;
    strings(&[
        "-o",
        "rtp.heuristic_rtp:TRUE",
        "-d",
        &format!("udp.port=={},sip", rt.gateway_sip.port()),
        "-d",
        &format!("udp.port=={c},rtp"),
        "-d",
        &format!("udp.port=={},rtcp", c + 1),
    ])
}

/// tshark's check of how the gateway's media ended (RFC 3550 §6.6): exactly
/// one compound RTCP packet with a BYE from the gateway's RTCP port to the
/// client's, SR or RR first and BYE last, naming the SSRC of the gateway's RTP
/// stream, with tshark's length check passing and nothing malformed; and no
/// RTP from the gateway after it. Returns tshark's line for the report.
pub fn check_rtcp_bye(rt: &RoundTrip) -> String {
    let file = &rt.capture;
    let c = rt.client_port;
    let gw = rt.gateway_rtp.port();
    let query = |filter: &str, fields: &[&str]| -> Vec<String> {
        let mut a = dissect_args(rt);
        a.extend(strings(&[
            "-Y",
            filter,
            "-T",
            "fields",
            "-E",
            "occurrence=a",
        ]));
        for f in fields {
            a.extend(strings(&["-e", f]));
        }
        tshark_read(file, &a)
    };
    let gateway_rtcp = format!("udp.srcport=={} && udp.dstport=={}", gw + 1, c + 1);
    let byes = query(
        &format!("{gateway_rtcp} && rtcp.pt==203"),
        &[
            "frame.number",
            "rtcp.pt",
            "rtcp.senderssrc",
            "rtcp.ssrc.identifier",
            "rtcp.length_check",
            "_ws.malformed",
        ],
    );
    assert_eq!(byes.len(), 1, "RTCP BYE packets from the gateway: {byes:?}");
    let fields: Vec<&str> = byes[0].split('\t').collect();
    let [frame, types, sender, identifiers, length_ok, malformed] = fields[..] else {
        panic!("tshark fields: {fields:?}");
    };
    let types: Vec<&str> = types.split(',').collect();
    assert!(
        matches!(types.first(), Some(&"200") | Some(&"201")) && types.last() == Some(&"203"),
        "the compound packet is SR/RR first, BYE last: {types:?}"
    );
    assert!(types.contains(&"202"), "with SDES: {types:?}");
    assert_eq!(malformed, "", "tshark finds the BYE malformed");
    assert!(
        length_ok == "1" || length_ok == "True",
        "tshark's RTCP length check: {length_ok:?}"
    );
    // The BYE names the SSRC of the report and of the gateway's RTP stream.
    let bye_ssrc = identifiers.rsplit(',').next().unwrap_or_default();
    assert_eq!(bye_ssrc, sender, "BYE and report SSRC");
    let to_client = format!("udp.srcport=={gw} && udp.dstport=={c} && rtp");
    let rtp = query(&to_client, &["frame.number", "rtp.ssrc"]);
    let last_rtp = rtp.last().expect("gateway RTP");
    let (last_frame, rtp_ssrc) = last_rtp.split_once('\t').expect("two fields");
    assert_eq!(rtp_ssrc, sender, "the BYE's SSRC is the RTP stream's");
    let (bye_frame, last_frame): (u64, u64) = (
        frame.parse().expect("frame number"),
        last_frame.parse().expect("frame number"),
    );
    assert!(
        bye_frame > last_frame,
        "RTP frame {last_frame} sent after the BYE (frame {bye_frame})"
    );
    format!(
        "tshark: RTCP BYE from the gateway in frame {bye_frame} (last RTP frame {last_frame}): \
         packet types {types:?}, SSRC {sender}"
    )
}
