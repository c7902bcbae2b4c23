//! Route tokens: written and read back; tampered, expired, foreign-key and
//! malformed tokens refused with their own reason; and a bounded run of random
//! and mutated inputs that must never panic nor be trusted.

mod call_server_support;
use call_server_support::at;
use dsp::noise::Rng;
use gateway::call_server::{RouteToken, ShortKey, TokenError, TokenKey, MAX_TOKEN_LEN};

fn key(fill: u8) -> TokenKey {
    TokenKey::new(&[fill; 32]).unwrap()
}

fn token() -> RouteToken {
    RouteToken {
        merchant: "acme".into(),
        centre: "paris".into(),
        agent: Some("4711".into()),
        expires: at("2027-01-01T00:00:00Z"),
    }
}

/// `dsp`'s seeded generator, a number below `n` (`n` > 0).
fn below(rng: &mut Rng, n: usize) -> usize {
    usize::try_from(rng.next_u64() % u64::try_from(n).unwrap()).unwrap()
}

#[test]
fn a_signed_token_reads_back() {
    let k = key(7);
    let text = k.sign(&token()).unwrap();
    assert!(text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    assert_eq!(k.verify(&text, at("2026-12-07T12:00:00Z")), Ok(token()));
    let no_agent = RouteToken {
        agent: None,
        ..token()
    };
    let text = k.sign(&no_agent).unwrap();
    assert_eq!(k.verify(&text, at("2026-12-07T12:00:00Z")), Ok(no_agent));
}

#[test]
fn expired_is_refused() {
    let k = key(7);
    let text = k.sign(&token()).unwrap();
    assert!(k.verify(&text, at("2026-12-31T23:59:59Z")).is_ok());
    assert_eq!(
        k.verify(&text, at("2027-01-01T00:00:00Z")),
        Err(TokenError::Expired)
    );
}

#[test]
fn another_key_is_foreign() {
    let text = key(7).sign(&token()).unwrap();
    assert_eq!(
        key(8).verify(&text, at("2026-12-07T12:00:00Z")),
        Err(TokenError::ForeignKey)
    );
}

#[test]
fn every_changed_payload_character_is_tampering_or_malformed() {
    let k = key(7);
    let text = k.sign(&token()).unwrap();
    let now = at("2026-12-07T12:00:00Z");
    let (payload, _) = text.split_once('.').unwrap();
    let mut tampered = 0;
    // Past the version and key id (the first 7 characters carry 5 bytes and a bit).
    for i in 8..payload.len() {
        let mut bytes = text.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).unwrap();
        match k.verify(&changed, now) {
            Err(TokenError::Tampered) => tampered += 1,
            Err(TokenError::Malformed) => {}
            other => panic!("character {i} changed gave {other:?}"),
        }
    }
    assert!(tampered > 10, "{tampered}");
    // The expiry pushed out by a forger: the MAC no longer matches.
    let later = RouteToken {
        expires: at("2030-01-01T00:00:00Z"),
        ..token()
    };
    let forged = key(7).sign(&later).unwrap();
    let (forged_payload, _) = forged.split_once('.').unwrap();
    let (_, mac) = text.split_once('.').unwrap();
    assert_eq!(
        k.verify(&format!("{forged_payload}.{mac}"), now),
        Err(TokenError::Tampered)
    );
}

#[test]
fn malformed_shapes_are_refused() {
    let k = key(7);
    let now = at("2026-12-07T12:00:00Z");
    for text in [
        "",
        ".",
        "abc",
        "abc.def",
        "!!!.???",
        "AQ.AA",
        &"A".repeat(MAX_TOKEN_LEN + 1),
    ] {
        assert_eq!(k.verify(text, now), Err(TokenError::Malformed), "{text:?}");
    }
    let text = k.sign(&token()).unwrap();
    let (payload, mac) = text.split_once('.').unwrap();
    assert_eq!(
        k.verify(&format!("{payload}.{}", &mac[..mac.len() - 4]), now),
        Err(TokenError::Malformed)
    );
    assert_eq!(k.verify(payload, now), Err(TokenError::Malformed));
    // Version 2: "Ag" is base64url of the single byte 2, padded out to a header.
    let v2 = format!("AgAAAAAAAAAAAAAAAA.{mac}");
    assert_eq!(k.verify(&v2, now), Err(TokenError::Version(2)));
}

#[test]
fn short_keys_are_refused() {
    assert_eq!(TokenKey::new(&[1; 31]).unwrap_err(), ShortKey(31));
}

#[test]
fn random_and_mutated_inputs_never_panic_nor_pass() {
    let k = key(7);
    let now = at("2026-12-07T12:00:00Z");
    let good = k.sign(&token()).unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \xc3\xa9";
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    for round in 0..20_000 {
        let text = if round % 2 == 0 {
            // Random characters of the token alphabet and a few others.
            let len = below(&mut rng, 200);
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[below(&mut rng, alphabet.len())])
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            // The good token with one to three characters replaced, cut or extended.
            let mut bytes = good.clone().into_bytes();
            for _ in 0..=below(&mut rng, 3) {
                match below(&mut rng, 3) {
                    0 if !bytes.is_empty() => {
                        let i = below(&mut rng, bytes.len());
                        bytes[i] = alphabet[below(&mut rng, 62)];
                    }
                    1 => bytes.truncate(below(&mut rng, bytes.len() + 1)),
                    _ => bytes.push(alphabet[below(&mut rng, 64)]),
                }
            }
            String::from_utf8(bytes).unwrap()
        };
        if let Ok(read) = k.verify(&text, now) {
            // Only the untouched token (a replacement by the same character) passes.
            assert_eq!(text, good, "round {round} trusted {text:?} as {read:?}");
        }
    }
}
