//! The routing decision on a virtual clock: rule order and matching (merchant,
//! link, attributes, explicit numbers, device data), the three strategies
//! (first open, least busy with ties, weighted shares over 10 000 decisions),
//! closed and full centres skipped with their reasons, and the outcomes a
//! caller hears (404, 480 + Retry-After, 486 + Retry-After).

mod call_server_support;
use call_server_support::{at, centre, every_day, rule, schedule, table};
use gateway::call_server::{
    decide, CentreId, DeviceCondition, DeviceData, DeviceInput, EmbeddedStore, LiveStore, Outcome,
    Request, RuleId, RuleSettings, SkipReason, Strategy, Table,
};

fn request(merchant: &str) -> Request<'_> {
    Request {
        merchant: Some(merchant),
        ..Request::default()
    }
}

fn routed(outcome: &Outcome) -> (RuleId, CentreId) {
    match outcome {
        Outcome::Routed { rule, centre, .. } => (*rule, *centre),
        other => panic!("expected a routed call, got {other:?}"),
    }
}

fn noon() -> jiff::Timestamp {
    at("2026-12-07T12:00:00Z")
}

#[test]
fn first_matching_rule_wins_by_merchant_and_link() {
    let t = table(
        vec![centre("a", 5, 1), centre("b", 5, 1), centre("c", 5, 1)],
        vec![
            RuleSettings {
                link: Some("spring-sale".into()),
                ..rule("acme-sale", Some("acme"), &["c"], Strategy::FirstOpen)
            },
            rule("acme", Some("acme"), &["a"], Strategy::FirstOpen),
            rule("anyone", None, &["b"], Strategy::FirstOpen),
        ],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let sale = Request {
        link: Some("spring-sale"),
        ..request("acme")
    };
    assert_eq!(
        routed(&decide(&t, &mut live, &sale, noon())),
        (RuleId(0), CentreId(2))
    );
    assert_eq!(
        routed(&decide(&t, &mut live, &request("acme"), noon())),
        (RuleId(1), CentreId(0))
    );
    assert_eq!(
        routed(&decide(&t, &mut live, &request("globex"), noon())),
        (RuleId(2), CentreId(1))
    );
    assert_eq!(
        routed(&decide(&t, &mut live, &Request::default(), noon())),
        (RuleId(2), CentreId(1))
    );
}

#[test]
fn nothing_matches_is_404() {
    let t = table(
        vec![centre("a", 5, 1)],
        vec![rule("acme", Some("acme"), &["a"], Strategy::FirstOpen)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let outcome = decide(&t, &mut live, &request("globex"), noon());
    assert_eq!(outcome, Outcome::NoMatch);
    assert_eq!(outcome.sip_status(), Some(404));
}

#[test]
fn attributes_must_all_hold() {
    let gold = RuleSettings {
        attributes: vec![
            ("tier".into(), "gold".into()),
            ("country".into(), "FR".into()),
        ],
        ..rule("gold", None, &["a"], Strategy::FirstOpen)
    };
    let t = table(
        vec![centre("a", 5, 1), centre("b", 5, 1)],
        vec![gold, rule("rest", None, &["b"], Strategy::FirstOpen)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let both = [("tier", "gold"), ("country", "FR")];
    let one = [("tier", "gold"), ("country", "DE")];
    let with = |attributes| Request {
        attributes,
        ..request("acme")
    };
    assert_eq!(
        routed(&decide(&t, &mut live, &with(&both), noon())).1,
        CentreId(0)
    );
    assert_eq!(
        routed(&decide(&t, &mut live, &with(&one), noon())).1,
        CentreId(1)
    );
}

#[test]
fn dialled_numbers_count_only_where_the_merchant_allows_them() {
    let sales = RuleSettings {
        dialled_prefix: Some("+3314".into()),
        ..rule("paris-number", None, &["a"], Strategy::FirstOpen)
    };
    let t = Table::new(
        vec![centre("a", 5, 1), centre("b", 5, 1)],
        vec![sales, rule("rest", None, &["b"], Strategy::FirstOpen)],
        &["acme".to_string()],
        60,
    )
    .unwrap();
    let mut live = EmbeddedStore::for_table(&t);
    let dialling = |merchant| Request {
        dialled: Some("+33145550000"),
        ..request(merchant)
    };
    assert_eq!(
        routed(&decide(&t, &mut live, &dialling("acme"), noon())).1,
        CentreId(0)
    );
    assert_eq!(
        routed(&decide(&t, &mut live, &dialling("globex"), noon())).1,
        CentreId(1)
    );
}

#[test]
fn device_rules_ask_for_the_data_then_match_on_it() {
    let french = RuleSettings {
        device: vec![
            DeviceCondition::Language("fr".into()),
            DeviceCondition::CartTotalAtLeast(10_000),
        ],
        ..rule("french-big-cart", None, &["a"], Strategy::FirstOpen)
    };
    let t = table(
        vec![centre("a", 5, 1), centre("b", 5, 1)],
        vec![french, rule("rest", None, &["b"], Strategy::FirstOpen)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let outcome = decide(&t, &mut live, &request("acme"), noon());
    assert_eq!(outcome, Outcome::NeedDeviceData { rule: RuleId(0) });
    assert_eq!(outcome.sip_status(), None);
    let data = DeviceData::parse(br#"{"language":"fr-CA","cart":{"total_cents":12000}}"#).unwrap();
    let posted = Request {
        device: DeviceInput::Data(&data),
        ..request("acme")
    };
    assert_eq!(
        routed(&decide(&t, &mut live, &posted, noon())).1,
        CentreId(0)
    );
    let small = DeviceData::parse(br#"{"language":"fr","cart":{"total_cents":500}}"#).unwrap();
    let posted = Request {
        device: DeviceInput::Data(&small),
        ..request("acme")
    };
    assert_eq!(
        routed(&decide(&t, &mut live, &posted, noon())).1,
        CentreId(1)
    );
    // No data in time: the rules that need it do not match.
    let absent = Request {
        device: DeviceInput::Absent,
        ..request("acme")
    };
    assert_eq!(
        routed(&decide(&t, &mut live, &absent, noon())).1,
        CentreId(1)
    );
}

#[test]
fn closed_centre_is_skipped_for_the_next_with_its_reason() {
    let mut paris = centre("paris", 5, 1);
    paris.schedule = schedule("Europe/Paris", every_day(&["09:00-18:00"]), &[]);
    let t = table(
        vec![paris, centre("backup", 5, 1)],
        vec![rule("r", None, &["paris", "backup"], Strategy::FirstOpen)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    // 19:00 UTC = 20:00 in Paris: closed until 09:00 (13 h).
    let outcome = decide(&t, &mut live, &request("acme"), at("2026-12-07T19:00:00Z"));
    let Outcome::Routed {
        centre, skipped, ..
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(*centre, CentreId(1));
    assert_eq!(
        skipped.as_slice(),
        [(
            CentreId(0),
            SkipReason::Closed {
                opens_in_s: Some(13 * 3600)
            }
        )]
    );
    assert_eq!(
        outcome.view(&t).to_string(),
        "rule r → centre backup (skipped: paris closed, opens in 46800 s)"
    );
}

#[test]
fn all_closed_is_480_with_the_earliest_opening() {
    let mut paris = centre("paris", 5, 1);
    paris.schedule = schedule("Europe/Paris", every_day(&["09:00-18:00"]), &[]);
    let mut new_york = centre("new-york", 5, 1);
    new_york.schedule = schedule("America/New_York", every_day(&["09:00-17:00"]), &[]);
    let t = table(
        vec![paris, new_york],
        vec![rule("r", None, &["paris", "new-york"], Strategy::LeastBusy)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    // Monday 7 December 2026, 05:00 UTC: 06:00 in Paris (opens in 3 h),
    // 00:00 in New York (opens in 9 h).
    let outcome = decide(&t, &mut live, &request("acme"), at("2026-12-07T05:00:00Z"));
    let Outcome::AllClosed {
        retry_after_s,
        skipped,
        ..
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(*retry_after_s, Some(3 * 3600));
    assert_eq!(skipped.len(), 2);
    assert_eq!(outcome.sip_status(), Some(480));
    assert_eq!(
        outcome.view(&t).to_string(),
        "rule r: every centre closed (480, Retry-After 10800) (skipped: paris closed, \
         opens in 10800 s; new-york closed, opens in 32400 s)"
    );
}

#[test]
fn all_full_is_486_and_a_closed_one_opening_sooner_shortens_retry_after() {
    let mut paris = centre("paris", 5, 1);
    paris.schedule = schedule("Europe/Paris", every_day(&["09:00-18:00"]), &[]);
    let t = table(
        vec![centre("busy", 2, 1), paris],
        vec![rule("r", None, &["busy", "paris"], Strategy::FirstOpen)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    live.call_started(CentreId(0));
    live.call_started(CentreId(0));
    // Noon UTC: Paris open but the busy centre full; Paris is reached.
    assert_eq!(
        routed(&decide(&t, &mut live, &request("x"), noon())).1,
        CentreId(1)
    );
    // 20:00 UTC: Paris closed for 12 h, busy full: 486 with the table's 60 s.
    let outcome = decide(&t, &mut live, &request("x"), at("2026-12-07T20:00:00Z"));
    assert_eq!(outcome.sip_status(), Some(486));
    let Outcome::AllFull {
        retry_after_s,
        skipped,
        ..
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(*retry_after_s, 60);
    assert_eq!(
        skipped[0],
        (
            CentreId(0),
            SkipReason::Full {
                live: 2,
                capacity: 2
            }
        )
    );
    // 07:59:30 UTC: Paris opens in 30 s, sooner than 60 s.
    let outcome = decide(&t, &mut live, &request("x"), at("2026-12-07T07:59:30Z"));
    assert!(
        matches!(
            outcome,
            Outcome::AllFull {
                retry_after_s: 30,
                ..
            }
        ),
        "{outcome:?}"
    );
    // A call ends: room again.
    live.call_ended(CentreId(0));
    assert_eq!(
        routed(&decide(
            &t,
            &mut live,
            &request("x"),
            at("2026-12-07T20:00:00Z")
        ))
        .1,
        CentreId(0)
    );
}

#[test]
fn least_busy_compares_live_over_capacity_and_ties_go_first() {
    let t = table(
        vec![
            centre("small", 4, 1),
            centre("big", 10, 1),
            centre("same", 4, 1),
        ],
        vec![rule(
            "r",
            None,
            &["small", "big", "same"],
            Strategy::LeastBusy,
        )],
    );
    let mut live = EmbeddedStore::for_table(&t);
    // All idle: a three-way tie goes to the first listed.
    assert_eq!(
        routed(&decide(&t, &mut live, &request("x"), noon())).1,
        CentreId(0)
    );
    // small 2/4 = 0.5, big 4/10 = 0.4, same 2/4 = 0.5: big.
    live.set_live_calls(CentreId(0), 2);
    live.set_live_calls(CentreId(1), 4);
    live.set_live_calls(CentreId(2), 2);
    assert_eq!(
        routed(&decide(&t, &mut live, &request("x"), noon())).1,
        CentreId(1)
    );
    // big 5/10 = 0.5 too: a tie of three at 0.5 goes to small.
    live.set_live_calls(CentreId(1), 5);
    assert_eq!(
        routed(&decide(&t, &mut live, &request("x"), noon())).1,
        CentreId(0)
    );
    // small 3/4: big and same tie at 0.5, big is listed first.
    live.set_live_calls(CentreId(0), 3);
    assert_eq!(
        routed(&decide(&t, &mut live, &request("x"), noon())).1,
        CentreId(1)
    );
}

#[test]
fn least_busy_counts_the_calls_it_places() {
    let t = table(
        vec![centre("a", 3, 1), centre("b", 6, 1)],
        vec![rule("r", None, &["a", "b"], Strategy::LeastBusy)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let mut placed = [0u32; 2];
    for _ in 0..9 {
        let (_, c) = routed(&decide(&t, &mut live, &request("x"), noon()));
        live.call_started(c);
        placed[usize::from(c.0)] += 1;
    }
    // Nine calls fill both exactly in proportion to capacity.
    assert_eq!(placed, [3, 6]);
    assert_eq!(
        decide(&t, &mut live, &request("x"), noon()).sip_status(),
        Some(486)
    );
}

#[test]
fn weighted_shares_hold_over_ten_thousand_decisions() {
    let t = table(
        vec![
            centre("a", 1000, 5),
            centre("b", 1000, 3),
            centre("c", 1000, 2),
        ],
        vec![rule("r", None, &["a", "b", "c"], Strategy::Weighted)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let mut counts = [0u32; 3];
    let mut previous = None;
    let mut longest_run = 0;
    let mut run = 0;
    for _ in 0..10_000 {
        let (_, c) = routed(&decide(&t, &mut live, &request("x"), noon()));
        counts[usize::from(c.0)] += 1;
        run = if previous == Some(c) { run + 1 } else { 1 };
        longest_run = longest_run.max(run);
        previous = Some(c);
    }
    // Smooth WRR is exact per cycle of 10: 5000/3000/2000, within 1 %.
    for (count, want) in counts.iter().zip([5000, 3000, 2000]) {
        assert!(count.abs_diff(want) <= 100, "{counts:?}");
    }
    // Smooth: the heaviest never gets more than two in a row at 5/10.
    assert!(longest_run <= 2, "longest run {longest_run}");
}

#[test]
fn weighted_shares_skip_a_full_centre_and_resume() {
    let t = table(
        vec![centre("a", 1000, 1), centre("b", 1, 1)],
        vec![rule("r", None, &["a", "b"], Strategy::Weighted)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    live.call_started(CentreId(1));
    for _ in 0..10 {
        let outcome = decide(&t, &mut live, &request("x"), noon());
        let Outcome::Routed {
            centre, skipped, ..
        } = &outcome
        else {
            panic!("{outcome:?}");
        };
        assert_eq!(*centre, CentreId(0));
        assert_eq!(
            skipped[0].1,
            SkipReason::Full {
                live: 1,
                capacity: 1
            }
        );
    }
    live.call_ended(CentreId(1));
    let mut counts = [0u32; 2];
    for _ in 0..1000 {
        counts[usize::from(routed(&decide(&t, &mut live, &request("x"), noon())).1 .0)] += 1;
    }
    assert_eq!(counts, [500, 500]);
}

#[test]
fn centres_serving_other_merchants_are_skipped_and_a_rule_of_none_falls_through() {
    let mut acme_only = centre("acme-desk", 5, 1);
    acme_only.merchants = vec!["acme".into()];
    let t = table(
        vec![acme_only, centre("general", 5, 1)],
        vec![
            rule("desks", None, &["acme-desk"], Strategy::FirstOpen),
            rule("general", None, &["general"], Strategy::FirstOpen),
        ],
    );
    let mut live = EmbeddedStore::for_table(&t);
    assert_eq!(
        routed(&decide(&t, &mut live, &request("acme"), noon())).1,
        CentreId(0)
    );
    // globex: the only centre of `desks` does not serve it: the next rule.
    assert_eq!(
        routed(&decide(&t, &mut live, &request("globex"), noon())),
        (RuleId(1), CentreId(1))
    );
}

#[test]
fn a_route_token_centre_is_preferred_when_it_can_take_the_call() {
    let t = table(
        vec![centre("a", 5, 1), centre("b", 1, 1)],
        vec![RuleSettings {
            prefer_last_centre: true,
            ..rule("r", None, &["a", "b"], Strategy::FirstOpen)
        }],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let back = Request {
        last_centre: Some(CentreId(1)),
        ..request("x")
    };
    assert_eq!(routed(&decide(&t, &mut live, &back, noon())).1, CentreId(1));
    live.call_started(CentreId(1));
    // Full now: the rule's order again.
    assert_eq!(routed(&decide(&t, &mut live, &back, noon())).1, CentreId(0));
}

#[test]
fn bad_tables_are_refused() {
    use gateway::call_server::TableError;
    let err = Table::new(
        vec![centre("a", 5, 1)],
        vec![rule("r", None, &["nowhere"], Strategy::FirstOpen)],
        &[],
        60,
    )
    .unwrap_err();
    assert_eq!(
        err,
        TableError::UnknownCentre {
            rule: 0,
            name: "nowhere".into()
        }
    );
    let err = Table::new(vec![centre("a", 0, 1)], vec![], &[], 60).unwrap_err();
    assert_eq!(
        err,
        TableError::Zero {
            centre: 0,
            what: "capacity"
        }
    );
    let err = Table::new(
        vec![centre("a", 5, 1)],
        vec![rule("r", None, &["a", "a"], Strategy::FirstOpen)],
        &[],
        60,
    )
    .unwrap_err();
    assert_eq!(err, TableError::CentreList { rule: 0 });
}

#[test]
fn the_invite_headers_make_the_request() {
    use gateway::call::CallContext;
    use gateway::call_server::attributes_of;
    let gold = RuleSettings {
        link: Some("tv-page".into()),
        attributes: vec![
            ("tier".into(), "gold".into()),
            ("customer_id".into(), "c-7".into()),
        ],
        ..rule("gold", Some("acme"), &["a"], Strategy::FirstOpen)
    };
    let t = table(
        vec![centre("a", 5, 1), centre("b", 5, 1)],
        vec![gold, rule("rest", None, &["b"], Strategy::FirstOpen)],
    );
    let mut live = EmbeddedStore::for_table(&t);
    let headers = |tier| {
        CallContext::from_headers(
            "call-1",
            "sip:client@127.0.0.1",
            [
                ("X-Merchant-Id", "acme"),
                ("X-Link-Id", "tv-page"),
                ("X-Customer-Id", "c-7"),
                ("X-Tier", tier),
            ],
        )
    };
    let context = headers("gold");
    let attributes = attributes_of(&context);
    let request = Request::from_context(&context, &attributes);
    assert_eq!(
        routed(&decide(&t, &mut live, &request, noon())),
        (RuleId(0), CentreId(0))
    );
    let context = headers("silver");
    let attributes = attributes_of(&context);
    let request = Request::from_context(&context, &attributes);
    assert_eq!(
        routed(&decide(&t, &mut live, &request, noon())),
        (RuleId(1), CentreId(1))
    );
}

#[test]
fn a_reload_keeps_live_calls_by_centre_name() {
    let old = table(
        vec![centre("a", 5, 1), centre("b", 5, 1)],
        vec![rule("r", None, &["a", "b"], Strategy::LeastBusy)],
    );
    let mut live = EmbeddedStore::for_table(&old);
    live.set_live_calls(CentreId(0), 3);
    live.set_live_calls(CentreId(1), 1);
    // The new file drops a, adds c before b.
    let new = table(
        vec![centre("c", 5, 1), centre("b", 5, 1)],
        vec![rule("r", None, &["c", "b"], Strategy::LeastBusy)],
    );
    let carried = EmbeddedStore::carried_over(&new, &old, &live);
    assert_eq!(carried.live_calls(CentreId(0)), 0);
    assert_eq!(carried.live_calls(CentreId(1)), 1);
}
