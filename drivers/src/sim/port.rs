//! One exchange line wired to one FXO card port: the per-line state machine.
//!
//! ```text
//!            gateway OffHook                first digit / exact number / timeout
//!   Idle ───────────────────▶ Dialling ───────────────────────────────────────┐
//!    ▲ ▲  (dial tone, DTMF detector on tx; 10 s silent → Reorder)              │ route
//!    │ │                                                                       ▼
//!    │ │                        ┌────── busy ──────▶ Tone(busy)          ┌─ unknown / reorder ─▶ Tone(reorder)
//!    │ │                        │                                        │
//!    │ │                      route ─ no-answer ─▶ Ringback (forever)    │
//!    │ │                        │                                        │
//!    │ │                        └─ answer(-hangup) ─▶ Ringback ─ N ring cycles ─▶ PolarityReversal
//!    │ │                                                                       ▼
//!    │ │  place_call           gateway OffHook                             Connected (script → rx,
//!    │ └──────────── Ringing ─────────────────────────────────────────────▶  tx → WAV)
//!    │   (RingOn/RingOff on the plan cadence;                                  │ party hangs up
//!    │    gives up after N rings)                                              ▼ LoopCurrentDrop
//!    └───────────────────────── gateway OnHook (from any state) ─────────── FarEndGone (silence)
//! ```
//!
//! The gateway's hook is a level sampled at the start of each frame: a command
//! changes it, the next frame acts on it, so every event lands on a frame.

use std::sync::Arc;

use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent};
use dsp::tone::{ToneGenerator, ToneKind};

use super::config::Behaviour;
use super::control::{InboundOutcome, InboundReport, LineStatus};
use super::digits::Digits;
use super::directory::Directory;
use super::events::EventQueue;
use super::recorder::Recorder;
use super::script::{ScriptOutcome, ScriptRun};
use crate::line::{LineEvent, PortId, FRAME_DURATION};

/// How long an off-hook line may sit silent before reorder (permanent signal).
const DIAL_TIMEOUT_FRAMES: u64 = 10_000 / 20;

/// What the exchange shares with every port during one frame.
pub(crate) struct FrameContext<'a> {
    /// The frame being exchanged (frames since the exchange started).
    pub(crate) now: u64,
    pub(crate) dir: &'a Directory,
    pub(crate) events: &'a mut EventQueue,
    /// Calls answered so far (numbers recordings, seeds voices).
    pub(crate) calls: &'a mut u64,
}

/// The party at the other end of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Party {
    Subscriber(usize),
    Phone(usize),
}

impl Party {
    fn label(self, dir: &Directory) -> Option<Arc<str>> {
        match self {
            Party::Subscriber(i) => dir.subscribers.get(i).map(|s| Arc::clone(&s.label)),
            Party::Phone(i) => dir.phones.get(i).map(|p| Arc::clone(&p.label)),
        }
    }
}

/// The gateway dialling out.
pub(crate) struct Dialling {
    since: u64,
    digits: Digits,
    key_down: bool,
    last_activity: u64,
    dial_tone: ToneGenerator,
}

/// A call-progress tone after routing: busy or reorder.
pub(crate) struct ProgressTone {
    kind: ToneKind,
    party: Option<usize>,
    generator: ToneGenerator,
}

/// Ringback toward the gateway while a subscriber's phone rings.
pub(crate) struct Ringback {
    subscriber: usize,
    answer_at: Option<u64>,
    generator: ToneGenerator,
}

/// An answered call.
pub(crate) struct Connected {
    party: Party,
    answered_at: u64,
    script: ScriptRun,
    recorder: Option<Recorder>,
}

/// A phone ringing the line (inbound).
pub(crate) struct Ringing {
    phone: usize,
    since: u64,
    ring_on: bool,
    /// Ring bursts so far.
    rings: u64,
    /// Caller ID, sent after the first burst.
    caller_id: Option<dsp::callerid::Generator>,
}

/// The line's call state.
// Moved by value once per frame per port and never boxed: boxing would allocate on
// every transition, and the size difference (a script run vs. a tone) is a few
// hundred bytes. The large DTMF detector lives in `Port` instead.
#[allow(clippy::large_enum_variant)]
pub(crate) enum LineState {
    Idle,
    Dialling(Dialling),
    Tone(ProgressTone),
    Ringback(Ringback),
    Connected(Connected),
    /// The far party hung up; silence until the gateway goes on hook.
    FarEndGone(Party),
    Ringing(Ringing),
}

impl LineState {
    fn name(&self) -> &'static str {
        match self {
            LineState::Idle => "idle",
            LineState::Dialling(_) => "dialling",
            LineState::Tone(t) if matches!(t.kind, ToneKind::Busy) => "busy-tone",
            LineState::Tone(_) => "reorder",
            LineState::Ringback(_) => "ringback",
            LineState::Connected(_) => "connected",
            LineState::FarEndGone(_) => "far-end-gone",
            LineState::Ringing(_) => "ringing",
        }
    }
}

/// One line and its port.
pub(crate) struct Port {
    id: PortId,
    /// The gateway's hook: `true` when it has the loop closed.
    off_hook: bool,
    state: LineState,
    /// The exchange's digit receiver on the gateway's `tx`; reset at each seizure.
    detector: Detector,
    dialled: Digits,
    last_inbound: Option<InboundReport>,
    /// What the gateway sent, for the hybrid echo (a ring of the last samples).
    echo_history: [i16; ECHO_HISTORY],
    echo_pos: usize,
}

/// Samples of the gateway's audio kept for the hybrid echo (> 16 ms).
const ECHO_HISTORY: usize = 256;

fn tone(dir: &Directory, kind: ToneKind) -> ToneGenerator {
    ToneGenerator::new(dir.plan.dsp_plan().tone(kind))
}

impl Port {
    pub(crate) fn new(id: PortId) -> Port {
        Port {
            id,
            off_hook: false,
            state: LineState::Idle,
            detector: Detector::new(DetectorConfig::default()),
            dialled: Digits::EMPTY,
            last_inbound: None,
            echo_history: [0; ECHO_HISTORY],
            echo_pos: 0,
        }
    }

    /// Record the gateway's hook command; acted on at the next frame.
    pub(crate) fn set_hook(&mut self, off_hook: bool) {
        self.off_hook = off_hook;
    }

    /// Move one frame: act on the hook, the gateway's audio `tx` and timers, then
    /// write what the line sends the gateway into `rx`.
    pub(crate) fn step(&mut self, ctx: &mut FrameContext<'_>, tx: &[i16], rx: &mut [i16]) {
        let state = std::mem::replace(&mut self.state, LineState::Idle);
        let state = self.follow_hook(ctx, state);
        let state = match state {
            LineState::Dialling(d) => self.dialling(ctx, d, tx),
            LineState::Ringing(r) => self.ringing(ctx, r),
            other => other,
        };
        let state = match state {
            LineState::Ringback(r) => self.ringback(ctx, r),
            other => other,
        };
        self.state = match state {
            LineState::Connected(c) => self.connected(ctx, c, tx),
            other => other,
        };
        self.render(rx);
        self.hybrid_echo(ctx.dir, tx, rx);
    }

    /// During a call the line returns the gateway's own audio, delayed and
    /// attenuated, like a real 2-wire hybrid.
    fn hybrid_echo(&mut self, dir: &Directory, tx: &[i16], rx: &mut [i16]) {
        let Some((gain, delay)) = dir.echo else {
            return;
        };
        let connected = matches!(self.state, LineState::Connected(_));
        for (out, &sent) in rx.iter_mut().zip(tx) {
            self.echo_pos = (self.echo_pos + 1) % ECHO_HISTORY;
            if let Some(slot) = self.echo_history.get_mut(self.echo_pos) {
                *slot = sent;
            }
            if !connected {
                continue;
            }
            let back = (self.echo_pos + ECHO_HISTORY - delay % ECHO_HISTORY) % ECHO_HISTORY;
            let echo = self.echo_history.get(back).copied().unwrap_or(0);
            let mixed = f32::from(*out) + gain * f32::from(echo);
            *out = mixed.clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16;
        }
    }

    fn follow_hook(&mut self, ctx: &mut FrameContext<'_>, state: LineState) -> LineState {
        match (self.off_hook, state) {
            (true, LineState::Idle) => {
                tracing::debug!(frame = ctx.now, port = %self.id, "sim line seized: dial tone");
                self.dialled = Digits::EMPTY;
                self.detector = Detector::new(DetectorConfig::default());
                LineState::Dialling(Dialling {
                    since: ctx.now,
                    digits: Digits::EMPTY,
                    key_down: false,
                    last_activity: ctx.now,
                    dial_tone: tone(ctx.dir, ToneKind::Dial),
                })
            }
            (true, LineState::Ringing(r)) => {
                if r.ring_on {
                    ctx.events.push(ctx.now, self.id, LineEvent::RingOff);
                }
                self.report_inbound(ctx.dir, r.phone, InboundOutcome::Answered);
                LineState::Connected(self.connect(ctx, Party::Phone(r.phone)))
            }
            (false, LineState::Idle) => LineState::Idle,
            (false, ringing @ LineState::Ringing(_)) => ringing,
            (false, other) => {
                tracing::debug!(frame = ctx.now, port = %self.id, state = other.name(), "sim line released");
                self.end_call(other);
                LineState::Idle
            }
            (true, other) => other,
        }
    }

    fn dialling(&mut self, ctx: &mut FrameContext<'_>, mut d: Dialling, tx: &[i16]) -> LineState {
        self.detector.process(tx);
        while let Some(event) = self.detector.poll_event() {
            match event {
                DtmfEvent::Start { digit, .. } => {
                    d.key_down = true;
                    d.last_activity = ctx.now;
                    if d.digits.push(digit.as_char()).is_err() {
                        tracing::debug!(port = %self.id, "sim number too long, digit ignored");
                    }
                    self.dialled = d.digits;
                    tracing::debug!(frame = ctx.now, port = %self.id, digit = %digit.as_char(), "sim digit");
                    if ctx.dir.subscriber(d.digits.as_str()).is_some() {
                        return self.route(ctx, d.digits);
                    }
                }
                DtmfEvent::End { .. } => {
                    d.key_down = false;
                    d.last_activity = ctx.now;
                }
            }
        }
        let quiet = ctx.now.saturating_sub(d.last_activity);
        if d.digits.is_empty()
            && !d.key_down
            && ctx.now.saturating_sub(d.since) >= DIAL_TIMEOUT_FRAMES
        {
            tracing::debug!(frame = ctx.now, port = %self.id, "sim nothing dialled: reorder");
            return LineState::Tone(ProgressTone {
                kind: ToneKind::Reorder,
                party: None,
                generator: tone(ctx.dir, ToneKind::Reorder),
            });
        }
        if !d.digits.is_empty() && !d.key_down && quiet >= ctx.dir.interdigit_frames {
            return self.route(ctx, d.digits);
        }
        LineState::Dialling(d)
    }

    fn route(&mut self, ctx: &mut FrameContext<'_>, digits: Digits) -> LineState {
        let Some(index) = ctx.dir.subscriber(digits.as_str()) else {
            tracing::debug!(frame = ctx.now, port = %self.id, number = %digits, "sim unknown number: reorder");
            return LineState::Tone(ProgressTone {
                kind: ToneKind::Reorder,
                party: None,
                generator: tone(ctx.dir, ToneKind::Reorder),
            });
        };
        let Some(sub) = ctx.dir.subscribers.get(index) else {
            return LineState::Idle;
        };
        tracing::debug!(frame = ctx.now, port = %self.id, party = %sub.label, behaviour = sub.behaviour.name(), "sim routed");
        let progress = |kind| {
            LineState::Tone(ProgressTone {
                kind,
                party: Some(index),
                generator: tone(ctx.dir, kind),
            })
        };
        match sub.behaviour {
            Behaviour::Busy => progress(ToneKind::Busy),
            Behaviour::Reorder => progress(ToneKind::Reorder),
            Behaviour::NoAnswer | Behaviour::Answer | Behaviour::AnswerHangup => {
                let answer_at = sub.behaviour.answers().then(|| {
                    ctx.now + u64::from(sub.answer_after_rings) * ctx.dir.ring.cycle_frames()
                });
                LineState::Ringback(Ringback {
                    subscriber: index,
                    answer_at,
                    generator: tone(ctx.dir, ToneKind::Ringback),
                })
            }
        }
    }

    fn ringback(&mut self, ctx: &mut FrameContext<'_>, r: Ringback) -> LineState {
        match r.answer_at {
            Some(at) if ctx.now >= at => {
                ctx.events
                    .push(ctx.now, self.id, LineEvent::PolarityReversal);
                LineState::Connected(self.connect(ctx, Party::Subscriber(r.subscriber)))
            }
            _ => LineState::Ringback(r),
        }
    }

    fn connect(&mut self, ctx: &mut FrameContext<'_>, party: Party) -> Connected {
        *ctx.calls += 1;
        let seq = *ctx.calls;
        let (script, number) = match party {
            Party::Subscriber(i) => ctx
                .dir
                .subscribers
                .get(i)
                .map(|s| (Arc::clone(&s.script), Arc::clone(&s.number))),
            Party::Phone(i) => ctx
                .dir
                .phones
                .get(i)
                .map(|p| (Arc::clone(&p.script), Arc::clone(&p.number))),
        }
        .unwrap_or_else(|| (Arc::from(Vec::new()), Arc::from("")));
        tracing::debug!(frame = ctx.now, port = %self.id, call = seq, party = ?party.label(ctx.dir), "sim call answered");
        let recorder = ctx
            .dir
            .record_dir
            .as_deref()
            .and_then(|dir| Recorder::create(dir, seq, self.id, &number));
        let seed = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(self.id.0);
        Connected {
            party,
            answered_at: ctx.now,
            script: ScriptRun::new(script, seed),
            recorder,
        }
    }

    fn connected(&mut self, ctx: &mut FrameContext<'_>, mut c: Connected, tx: &[i16]) -> LineState {
        if let Some(rec) = c.recorder.as_mut() {
            if !rec.write(tx) {
                c.recorder = None;
            }
        }
        match c.script.advance(ctx.now - c.answered_at) {
            ScriptOutcome::Continue => LineState::Connected(c),
            ScriptOutcome::HangUp => self.far_end_hangs_up(ctx, c),
        }
    }

    fn far_end_hangs_up(&mut self, ctx: &mut FrameContext<'_>, c: Connected) -> LineState {
        ctx.events
            .push(ctx.now, self.id, LineEvent::LoopCurrentDrop);
        if let Party::Phone(phone) = c.party {
            self.report_inbound(ctx.dir, phone, InboundOutcome::CallerHungUp);
        }
        let party = c.party;
        if let Some(rec) = c.recorder {
            rec.finish();
        }
        LineState::FarEndGone(party)
    }

    fn ringing(&mut self, ctx: &mut FrameContext<'_>, mut r: Ringing) -> LineState {
        let give_up = ctx
            .dir
            .phones
            .get(r.phone)
            .map_or(0, |p| p.give_up_after_rings);
        match ctx.dir.ring.edge_at(ctx.now - r.since) {
            Some(super::cadence::RingEdge::On(n)) if n > u64::from(give_up) => {
                tracing::debug!(frame = ctx.now, port = %self.id, rings = give_up, "sim caller gave up");
                self.report_inbound(ctx.dir, r.phone, InboundOutcome::GaveUp);
                return LineState::Idle;
            }
            Some(super::cadence::RingEdge::On(n)) => {
                r.ring_on = true;
                r.rings = n;
                if let Some(g) = r.caller_id.as_mut() {
                    // Whatever is left of it must not overlap the ringing.
                    g.cancel();
                }
                ctx.events.push(ctx.now, self.id, LineEvent::RingOn);
            }
            Some(super::cadence::RingEdge::Off) => {
                r.ring_on = false;
                if r.rings == 1 {
                    r.caller_id = super::caller_id::generator(ctx.dir, r.phone, ctx.now);
                }
                ctx.events.push(ctx.now, self.id, LineEvent::RingOff);
            }
            None => {}
        }
        LineState::Ringing(r)
    }

    fn render(&mut self, rx: &mut [i16]) {
        match &mut self.state {
            LineState::Dialling(d) if d.digits.is_empty() && !d.key_down => d.dial_tone.fill(rx),
            LineState::Tone(t) => t.generator.fill(rx),
            LineState::Ringback(r) => r.generator.fill(rx),
            LineState::Connected(c) => c.script.fill(rx),
            LineState::Ringing(Ringing {
                caller_id: Some(g), ..
            }) => {
                g.fill(rx);
            }
            _ => rx.fill(0),
        }
    }

    fn end_call(&mut self, state: LineState) {
        if let LineState::Connected(c) = state {
            if let Some(rec) = c.recorder {
                rec.finish();
            }
        }
    }

    fn report_inbound(&mut self, dir: &Directory, phone: usize, outcome: InboundOutcome) {
        if let Some(p) = dir.phones.get(phone) {
            self.last_inbound = Some(InboundReport {
                phone: Arc::clone(&p.name),
                outcome,
            });
        }
    }

    /// The phone in a call or ringing on this line, if any.
    pub(crate) fn phone(&self) -> Option<usize> {
        match &self.state {
            LineState::Ringing(r) => Some(r.phone),
            LineState::Connected(Connected {
                party: Party::Phone(p),
                ..
            }) => Some(*p),
            _ => None,
        }
    }

    /// Phone `phone` calls this line.
    pub(crate) fn ring(&mut self, ctx: &mut FrameContext<'_>, phone: usize, phone_busy: bool) {
        let outcome = if phone_busy {
            InboundOutcome::PhoneBusy
        } else if self.off_hook || !matches!(self.state, LineState::Idle) {
            InboundOutcome::LineBusy
        } else {
            self.state = LineState::Ringing(Ringing {
                phone,
                since: ctx.now,
                ring_on: false,
                rings: 0,
                caller_id: None,
            });
            InboundOutcome::Ringing
        };
        tracing::debug!(frame = ctx.now, port = %self.id, ?outcome, "sim inbound call");
        self.report_inbound(ctx.dir, phone, outcome);
    }

    /// Phone `phone` hangs up, if it is ringing or talking on this line.
    pub(crate) fn phone_hangs_up(&mut self, ctx: &mut FrameContext<'_>, phone: usize) {
        if self.phone() != Some(phone) {
            return;
        }
        match std::mem::replace(&mut self.state, LineState::Idle) {
            LineState::Ringing(r) => {
                if r.ring_on {
                    ctx.events.push(ctx.now, self.id, LineEvent::RingOff);
                }
                tracing::debug!(frame = ctx.now, port = %self.id, "sim caller abandoned");
                self.report_inbound(ctx.dir, phone, InboundOutcome::CallerHungUp);
            }
            LineState::Connected(c) => self.state = self.far_end_hangs_up(ctx, c),
            other => self.state = other,
        }
    }

    /// Write this line's status without allocating.
    pub(crate) fn write_status(&self, dir: &Directory, now: u64, status: &mut LineStatus) {
        status.state = self.state.name();
        status.dialled = self.dialled;
        status.party = match &self.state {
            LineState::Tone(t) => t.party.and_then(|i| Party::Subscriber(i).label(dir)),
            LineState::Ringback(r) => Party::Subscriber(r.subscriber).label(dir),
            LineState::Connected(c) => c.party.label(dir),
            LineState::FarEndGone(p) => p.label(dir),
            LineState::Ringing(r) => Party::Phone(r.phone).label(dir),
            LineState::Idle | LineState::Dialling(_) => None,
        };
        (status.call_duration, status.recording) = match &self.state {
            LineState::Connected(c) => (
                Some(
                    FRAME_DURATION
                        * u32::try_from(now.saturating_sub(c.answered_at)).unwrap_or(u32::MAX),
                ),
                c.recorder.as_ref().map(|r| Arc::clone(r.path())),
            ),
            _ => (None, None),
        };
        status.last_inbound.clone_from(&self.last_inbound);
    }
}
