#![no_main]

//! The TCP framer on arbitrary bytes cut at arbitrary places: never panics,
//! every message it frames is no larger than the limit, and the same bytes
//! in one read give the same frames.

use libfuzzer_sys::fuzz_target;
use sip::transport::{Frame, StreamFramer};

fn frames(chunks: &[&[u8]]) -> (Vec<Frame>, bool) {
    let mut framer = StreamFramer::new(4096);
    let mut out = Vec::new();
    for chunk in chunks {
        framer.push(chunk);
        loop {
            match framer.next_frame() {
                Ok(Some(frame)) => {
                    if let Frame::Message(m) = &frame {
                        assert!(m.len() <= 4096);
                    }
                    out.push(frame);
                }
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(cut).min(rest.len());
    let (a, b) = rest.split_at(at);
    let (split, split_failed) = frames(&[a, b]);
    let (whole, whole_failed) = frames(&[rest]);
    if !split_failed && !whole_failed {
        assert_eq!(split, whole);
    }
});
