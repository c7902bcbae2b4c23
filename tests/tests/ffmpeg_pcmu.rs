//! ffmpeg as the IP client's media, PCMU: sipp sets up a call offering only
//! PCMU to a simulated party that plays a 1 kHz tone at −10 dBm0.
//!
//! Checks, against the real binary and independent media peers:
//! - ffmpeg, receiving the gateway's RTP through an SDP file, decodes the line's
//!   1 kHz tone at its level for the whole capture;
//! - a 700 Hz WAV that ffmpeg sends as PCMU RTP is what the far party heard
//!   (frequency, level, duration; nothing before ffmpeg sent), and the line
//!   hears silence once ffmpeg's stream has ended;
//! - tshark decodes the gateway's RTP (PT 0), RTCP sender reports and RFC 4733
//!   events (the far party's `1` and `2`) and ffmpeg's RTP/RTCP, with no
//!   malformed packet;
//! - when the far party hangs up, the gateway's media ends with one compound
//!   RTCP packet (SR/RR, SDES, BYE with its RTP stream's SSRC) that tshark
//!   decodes with no fault, and no RTP after it.

use gateway_tests::ffmpeg::{
    check_audio, check_capture, check_rtcp_bye, peers_available, round_trip, PCMU,
};

#[test]
fn ffmpeg_exchanges_pcmu_audio_with_the_line() {
    if !peers_available() {
        return;
    }
    let rt = round_trip(PCMU);
    assert!(
        rt.messages.contains("a=rtpmap:0 PCMU/8000"),
        "the answer chose PCMU:\n{}",
        rt.messages
    );
    let tail_dbm0 = check_audio(&rt, 1.5);
    // Once ffmpeg's stream ends, the line hears silence (concealment fades).
    assert!(tail_dbm0 < -50.0, "after the stream: {tail_dbm0:.1} dBm0");
    eprintln!("{}", check_capture(&rt, 0));
    eprintln!("{}", check_rtcp_bye(&rt));
}
