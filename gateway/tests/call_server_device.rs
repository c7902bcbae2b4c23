//! The device's POSTed data: parsed into bounded, typed fields; faults name the
//! field.

use gateway::call_server::{DeviceData, DeviceDataError, MAX_BODY, MAX_INTERACTIONS, MAX_TEXT};

#[test]
fn a_full_body_parses() {
    let body = br#"{
        "language": "fr-CA",
        "last_agent": "4711",
        "customer_id": "c-981",
        "interactions": [
            { "page": "https://shop.example/tv", "seconds": 40 },
            { "page": "https://shop.example/cart" }
        ],
        "cart": { "items": 2, "total_cents": 129900, "currency": "EUR" },
        "route_token": "abc.def"
    }"#;
    let data = DeviceData::parse(body).unwrap();
    assert!(data.language_is("fr"));
    assert!(data.language_is("FR-ca"));
    assert!(!data.language_is("en"));
    assert_eq!(data.last_agent.as_deref(), Some("4711"));
    assert_eq!(data.interactions.len(), 2);
    assert_eq!(data.interactions[1].seconds, 0);
    assert_eq!(data.cart_total_cents(), 129_900);
    assert_eq!(data.route_token.as_deref(), Some("abc.def"));
    assert_eq!(DeviceData::parse(b"{}").unwrap(), DeviceData::default());
}

#[test]
fn faults_name_the_field() {
    let field = |body: &[u8]| match DeviceData::parse(body) {
        Err(DeviceDataError::Json { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(br#"{"cart":{"total_cents":"lots"}}"#),
        "cart.total_cents"
    );
    assert_eq!(
        field(br#"{"interactions":[{"page":"a"},{"page":7}]}"#),
        "interactions[1].page"
    );
    assert_eq!(field(br#"{"favourite_colour":"blue"}"#), "favourite_colour");
    assert_eq!(field(br#"{"cart":{"total_cents":-1}}"#), "cart.total_cents");
    assert_eq!(field(b"not json"), "");
    assert_eq!(field(b"{} {}"), "");
    assert_eq!(field(b""), "");
}

#[test]
fn bounds_hold() {
    let big = vec![b' '; MAX_BODY + 1];
    assert_eq!(
        DeviceData::parse(&big),
        Err(DeviceDataError::TooLarge(MAX_BODY + 1))
    );
    let many = format!(
        r#"{{"interactions":[{}]}}"#,
        vec![r#"{"page":"p"}"#; MAX_INTERACTIONS + 1].join(",")
    );
    assert_eq!(
        DeviceData::parse(many.as_bytes()),
        Err(DeviceDataError::TooManyInteractions)
    );
    let long = format!(
        r#"{{"interactions":[{{"page":"{}"}}]}}"#,
        "x".repeat(MAX_TEXT + 1)
    );
    assert_eq!(
        DeviceData::parse(long.as_bytes()),
        Err(DeviceDataError::TooLong {
            field: "interactions[0].page".into()
        })
    );
    let agent = format!(r#"{{"last_agent":"{}"}}"#, "x".repeat(MAX_TEXT + 1));
    assert_eq!(
        DeviceData::parse(agent.as_bytes()),
        Err(DeviceDataError::TooLong {
            field: "last_agent".into()
        })
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = dsp::noise::Rng::new(0x1234_5678_9ABC_DEF0);
    let seeds: [&[u8]; 3] = [
        br#"{"cart":{"items":1}}"#,
        br#"{"interactions":[{"page":"a"}]}"#,
        b"[]",
    ];
    for round in 0..5_000 {
        let mut body = seeds[round % seeds.len()].to_vec();
        for _ in 0..3 {
            let state = rng.next_u64();
            let i = usize::try_from(state % u64::try_from(body.len()).unwrap()).unwrap();
            body[i] = u8::try_from(state >> 56).unwrap();
        }
        let _ = DeviceData::parse(&body);
    }
}
