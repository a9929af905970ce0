"""The transition table (authflow/machine.py) and the scripted handler's code source."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pyotp
import pytest
from transitions import MachineError

from authflow import machine
from authflow.errors import FlowStateError, MissingAnswerError, UnexpectedChallengeError
from authflow.handlers import ScriptedHandler, TotpCodes
from authflow.prompts import Field, Prompt, PromptKind


def model(state: str) -> SimpleNamespace:
    return SimpleNamespace(state=state)


def test_every_state_is_reachable_from_start() -> None:
    seen, todo = {"start"}, ["start"]
    while todo:
        for nxt in machine.next_states(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(machine.STATES)


def test_every_non_final_state_can_fail_and_final_states_are_final() -> None:
    for state in machine.STATES:
        if state in machine.FINAL:
            assert machine.next_states(state) == []
        else:
            m = model(state)
            machine.fire(m, "fail")
            assert m.state == "failed"


def test_a_typical_path() -> None:
    m = model("start")
    for event in ("need_password", "PASSWORD_VERIFIER", "MFA_SETUP", "choose_totp_setup", "retry",
                  "authenticated"):
        machine.fire(m, event)
    assert m.state == "authenticated"


def test_unexpected_challenge_is_a_typed_error() -> None:
    m = model("SELECT_MFA_TYPE")
    with pytest.raises(UnexpectedChallengeError) as info:
        machine.fire(m, "NEW_PASSWORD_REQUIRED")
    assert info.value.challenge_name == "NEW_PASSWORD_REQUIRED"
    assert m.state == "SELECT_MFA_TYPE"


def test_fire_moves_as_the_transitions_machine_does() -> None:
    # fire() looks moves up in a table compiled from the machine: every (event, state) pair must end
    # where the machine's own trigger takes a model, and be refused where the machine refuses it.
    for event in machine.MACHINE.events:
        for state in machine.STATES:
            ours, theirs = model(state), model(state)
            try:
                machine.MACHINE.events[event].trigger(theirs)
            except MachineError:
                refusal = UnexpectedChallengeError if event in machine.CHALLENGE_EVENTS else FlowStateError
                with pytest.raises(refusal):
                    machine.fire(ours, event)
                assert not machine.can_fire(ours, event) and ours.state == state
            else:
                assert machine.can_fire(ours, event)
                machine.fire(ours, event)
                assert ours.state == theirs.state, (event, state)


def test_local_misuse_is_a_flow_state_error() -> None:
    with pytest.raises(FlowStateError):
        machine.fire(model("authenticated"), "retry")
    with pytest.raises(FlowStateError):
        machine.fire(model("start"), "no_such_event")


# --- TOTP codes ----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_totp_codes_never_repeat_for_one_secret() -> None:
    clock = FakeClock(1_000_000_005.0)
    codes = TotpCodes(clock=clock.time, sleep=clock.sleep)
    first = codes.next_code(SECRET)
    assert first == pyotp.TOTP(SECRET).at(1_000_000_005)
    second = codes.next_code(SECRET)  # same window: waits for the next one
    assert second != first
    assert second == pyotp.TOTP(SECRET).at(1_000_000_020)
    assert clock.slept and 14 < clock.slept[0] < 16
    other = codes.next_code("KRSXG5CTMVRXEZLU" * 2)  # another secret does not wait
    assert other == pyotp.TOTP("KRSXG5CTMVRXEZLU" * 2).at(clock.now)
    assert len(clock.slept) == 1


def test_totp_codes_are_distinct_across_threads() -> None:
    clock = FakeClock(2_000_000_000.0)
    lock = threading.Lock()
    codes = TotpCodes(clock=clock.time, sleep=lambda seconds: None)  # no real waiting: counters decide
    results: list[str] = []

    def worker() -> None:
        code = codes.next_code(SECRET)
        with lock:
            results.append(code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 8


# --- ScriptedHandler -----------------------------------------------------------------------------


def prompt(kind: PromptKind, challenge: str | None = None, **extra: object) -> Prompt:
    fields = {"PASSWORD": ("password",), "CODE": ("code",), "TOTP_CODE": ("code",), "TOTP_SETUP": ("code",)}.get(
        kind.value, ("choice",))
    return Prompt(kind=kind, challenge_name=challenge, fields=tuple(Field(n, n) for n in fields),
                  message="", username="u", **extra)  # type: ignore[arg-type]


def test_scripted_handler_answers_by_kind() -> None:
    clock = FakeClock(1_700_000_000.0)
    saved: list[str] = []
    h = ScriptedHandler(password="pw", code=lambda p: "111111", totp_secret=SECRET,
                        totp_secret_out=saved.append, mfa_choice="SMS_MFA",
                        totp_codes=TotpCodes(clock=clock.time, sleep=clock.sleep))
    assert h.answer(prompt(PromptKind.PASSWORD)) == {"password": "pw"}
    assert h.answer(prompt(PromptKind.CODE, "SMS_MFA")) == {"code": "111111"}
    assert h.answer(prompt(PromptKind.TOTP_CODE, "SOFTWARE_TOKEN_MFA")) == {"code": pyotp.TOTP(SECRET).at(clock.now)}
    assert h.answer(prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", choices=("SMS_MFA", "SOFTWARE_TOKEN_MFA"))) \
        == {"choice": "SMS_MFA"}
    new_secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
    answer = h.answer(prompt(PromptKind.TOTP_SETUP, "MFA_SETUP", secret_code=new_secret))
    assert saved == [new_secret]  # saved before the code was produced
    assert answer == {"code": pyotp.TOTP(new_secret).at(clock.now)}
    assert "pw" not in repr(h) and SECRET not in repr(h)


def test_scripted_handler_refuses_what_it_cannot_answer() -> None:
    h = ScriptedHandler(password="pw")
    with pytest.raises(MissingAnswerError):
        h.answer(prompt(PromptKind.CODE, "SMS_MFA"))
    with pytest.raises(MissingAnswerError, match="choose"):
        h.answer(prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", choices=("SMS_MFA", "EMAIL_OTP")))
    # No place to save a TOTP secret: MFA_SETUP is refused at the choice, before anything is associated.
    with pytest.raises(MissingAnswerError):
        h.answer(prompt(PromptKind.MFA_SETUP_CHOICE, "MFA_SETUP", choices=("SOFTWARE_TOKEN_MFA",)))


def test_scripted_handler_does_not_resend_a_refused_static_value() -> None:
    from authflow.errors import CodeMismatchError

    error = CodeMismatchError("Invalid code or auth state for the user.")
    h = ScriptedHandler(code="123456")
    with pytest.raises(CodeMismatchError):
        h.answer(prompt(PromptKind.CODE, "SMS_MFA", error=error, attempt=2))


# --- the driver names no state -------------------------------------------------------------------


def test_the_driver_names_no_state_or_challenge() -> None:
    """flow.py and aio.py only drive: every state is looked up in the registry, every move is in the table."""
    import ast
    from pathlib import Path

    import authflow

    names = set(machine.STATES) | machine.CHALLENGE_EVENTS
    for module in ("flow.py", "aio.py"):
        tree = ast.parse((Path(authflow.__file__).parent / module).read_text())
        literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
        assert not literals & names, f"{module} names {sorted(literals & names)}"
