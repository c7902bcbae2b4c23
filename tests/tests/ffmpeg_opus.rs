//! ffmpeg as the IP client's media, Opus (RFC 7587): sipp sets up a call
//! offering only `opus/48000/2` (payload type 96) to a simulated party that plays
//! a 1 kHz tone at −10 dBm0; the gateway is configured to offer Opus first.
//!
//! Checks, against the real binary and independent media peers (libopus in
//! ffmpeg on the other side):
//! - ffmpeg, receiving the gateway's Opus RTP through an SDP file, decodes the
//!   line's 1 kHz tone at its level for the whole capture;
//! - a 700 Hz WAV that ffmpeg encodes with libopus and sends as RTP is what the
//!   far party heard (frequency, level, duration; nothing before ffmpeg sent),
//!   and the line hears silence once ffmpeg's stream has ended;
//! - tshark decodes the gateway's RTP (PT 96), RTCP sender reports and RFC 4733
//!   events at 48 kHz (the far party's `1` and `2`) and ffmpeg's RTP/RTCP, with
//!   no malformed packet;
//! - when the far party hangs up, the gateway's media ends with one compound
//!   RTCP packet (SR/RR, SDES, BYE with its RTP stream's SSRC) that tshark
//!   decodes with no fault, and no RTP after it.

use gateway_tests::ffmpeg::{
    check_audio, check_capture, check_rtcp_bye, peers_available, round_trip, OPUS,
};

#[test]
fn ffmpeg_exchanges_opus_audio_with_the_line() {
    if !peers_available() {
        return;
    }
    let rt = round_trip(OPUS);
    assert!(
        rt.messages.contains("a=rtpmap:96 opus/48000/2"),
        "the answer chose Opus at the offer's payload type:\n{}",
        rt.messages
    );
    assert!(
        rt.sender_log.contains("libopus"),
        "ffmpeg encoded with libopus:\n{}",
        rt.sender_log
    );
    let tail_dbm0 = check_audio(&rt, 2.0);
    // Once ffmpeg's stream ends, the line hears silence: Opus concealment
    // stops extrapolating after `OPUS_CONCEAL_FRAMES` (gateway/src/media/codec.rs).
    eprintln!("Opus: after the stream the line hears {tail_dbm0:.1} dBm0");
    assert!(tail_dbm0 < -50.0, "after the stream: {tail_dbm0:.1} dBm0");
    eprintln!("{}", check_capture(&rt, 96));
    eprintln!("{}", check_rtcp_bye(&rt));
}
