"""``authflow demo`` in a real terminal (tmux): sign in a TOTP user (watching the authenticator app count
down), a user who must choose a new password, an MFA-setup user and the passkey user, and read what the screen
shows.
The first session is examples/wizard-transcript.txt (compared with what varies masked); set
AUTHFLOW_SAVE_TRANSCRIPT=1 (or run tests/docs/refresh.py) to write it again.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from authflow.localpool.seed import load_seed
from tests.helpers.cli import REPO, credential_free_env

SEED_USERS = {u["username"]: u for pool in load_seed("demo")["pools"] for u in pool["users"]}
TRANSCRIPT = REPO / "examples" / "wizard-transcript.txt"


class Tmux:
    """One detached tmux session running a command; send keys, read the screen (with its history)."""

    def __init__(self, command: str, env: dict[str, str], *, width: int = 110, height: int = 50) -> None:
        # tmux is a system package .ci/run installs: without it these tests fail, they do not skip
        assert shutil.which("tmux"), "tmux is not installed (apt-get install tmux, as .ci/run does)"
        self.name = f"authflow-test-{uuid.uuid4().hex[:8]}"
        self.env = env
        script = f"{command}; echo EXIT=$?; sleep 60"
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), script)
        self._tmux("set-option", "-t", self.name, "history-limit", "10000")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", *args], env=self.env, capture_output=True, text=True, check=True, timeout=10)
        return done.stdout

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)
        self.keys("Enter")

    def screen(self) -> str:
        text = self._tmux("capture-pane", "-p", "-J", "-t", self.name, "-S", "-10000")
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"

    def wait_for(self, pattern: str, *, count: int = 1, timeout: float = 30.0) -> str:
        """Wait until ``pattern`` (a regular expression) shows ``count`` times; returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if len(re.findall(pattern, screen)) >= count:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} did not show (x{count}); the screen:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], env=self.env, capture_output=True, check=False)


def start_demo(tmp_path: Path, *args: str, width: int = 110, height: int = 50) -> Tmux:
    env = credential_free_env(tmp_path)
    env["TMUX_TMPDIR"] = str(tmp_path)  # a private tmux server
    env.pop("TMUX", None)
    env["TERM"] = "xterm-256color"
    argv = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "authflow", "demo", *args])
    return Tmux(f"cd {shlex.quote(str(REPO))} && {argv}", env, width=width, height=height)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Tmux]:
    session = start_demo(tmp_path)
    try:
        yield session
    finally:
        session.close()


def totp_now(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    if totp.interval - time.time() % totp.interval < 2:  # about to change: take the next one
        time.sleep(2)
    return totp.now()


APP_LINE = r"\[Authenticator app of {user}\] (?:(\d{{6}})  \(changes in (\d+) s\)|a new code in (\d+) s)"


def watch_the_app(demo: Tmux, user: str) -> list[tuple[str, int]]:
    """The authenticator line under the code prompt, read for about two seconds: (code, seconds left)."""
    seen: list[tuple[str, int]] = []
    for _ in range(6):
        match = list(re.finditer(APP_LINE.format(user=user), demo.wait_for(APP_LINE.format(user=user))))[-1]
        code, left, later = match.groups()
        seen.append((code or "", int(left or later)))
        time.sleep(0.4)
    return seen


def test_demo_signs_in_a_totp_user_a_new_password_and_an_mfa_setup_user(demo: Tmux) -> None:
    screen = demo.wait_for(r"Number:")
    assert "A local Cognito-compatible user pool is running at http://127.0.0.1:" in screen
    for name, user in SEED_USERS.items():  # the menu is the table: number, name, password, what it shows
        assert re.search(rf"^ +\d+\. {name} +{re.escape(user['password'])} ", screen, re.M), name

    # tina: SOFTWARE_TOKEN_MFA. The app's code counts down; a wrong code first: the same session asks again.
    demo.keys("2")
    demo.keys("Enter")
    screen = demo.wait_for(r"Password for tina: $|Password for tina:\s*\n")
    # tina's TOTP secret, to add to a real app (the demo plays the app too)
    assert f"tina's TOTP secret, for a real authenticator app: {SEED_USERS['tina']['totp_secret']}" in screen
    demo.type(SEED_USERS["tina"]["password"])
    demo.wait_for(r"Open your authenticator app for the current code\.")
    seen = watch_the_app(demo, "tina")
    assert len({left for _, left in seen}) > 1  # a live countdown
    totp = pyotp.TOTP(SEED_USERS["tina"]["totp_secret"])
    for code, left in seen:
        assert (code == "" and left <= 5) or (left > 5 and totp.verify(code, valid_window=1))  # never about to expire
    demo.type("000000")
    demo.wait_for(r"That code is not right\. \(CodeMismatchException")
    demo.wait_for(r"\nCode:", count=2)  # asked again (typed before, the terminal would echo it above)
    demo.type(totp_now(SEED_USERS["tina"]["totp_secret"]))
    screen = demo.wait_for(r"✓ Signed in as tina\.")
    assert '"cognito:username": "tina"' in demo.wait_for(r"The id token says")
    assert re.search(r"AWS credentials from identity pool authflow-demo-identities: ASIA[A-Z0-9]{16}, role "
                     r"authflow-demo-signed-in, until", " ".join(demo.wait_for(r"prints them whole").split()))
    typed = screen.split("Password for tina:", 1)[1].split("Sign in as:", 1)[0]
    assert SEED_USERS["tina"]["password"] not in typed  # masked when typed
    assert "Password for tina: " + "*" * len(SEED_USERS["tina"]["password"]) in screen

    # newton: a new password and the required attribute, named in words; the table shows the new password.
    demo.wait_for(r"Sign in as:", count=2)
    demo.wait_for(r"Number:", count=2)
    time.sleep(0.3)  # the prompt reads keys once drawn (typed before, the terminal echoes them above it)
    demo.keys(str(list(SEED_USERS).index("newton") + 1))  # its number in the list
    demo.keys("Enter")
    demo.wait_for(r"Password for newton:")
    demo.type(SEED_USERS["newton"]["password"])
    demo.wait_for(r"New password:")
    demo.type("Newton-Passw0rd!9")
    demo.wait_for(r"Repeat the new password:")
    demo.type("Newton-Passw0rd!9")
    demo.wait_for(r"Full name \(name\):")
    demo.type("Isaac Newton")
    demo.wait_for(r"✓ Signed in as newton\.")
    demo.wait_for(r"newton's password is now Newton-Passw0rd!9")
    screen = demo.wait_for(r"Sign in as:", count=3)
    screen = demo.wait_for(r"(?m)^ +\d+\. newton +Newton-Passw0rd!9 +password changed here: a plain sign-in now$")
    assert re.search(r"^ +\d+\. newton +Newton-Passw0rd!9 +password changed here: a plain sign-in now$",
                     screen.split("newton's password")[-1], re.M)  # the menu shown after the change says so

    # sean: MFA_SETUP in a pool that requires MFA: choose the app, see secret, URI and QR, first code.
    demo.wait_for(r"Number:", count=3)
    time.sleep(0.3)  # as above: a key typed before the prompt is drawn is echoed into the transcript
    demo.keys(str(list(SEED_USERS).index("sean") + 1))  # its number in the list
    demo.keys("Enter")
    demo.wait_for(r"Password for sean:")
    demo.type(SEED_USERS["sean"]["password"])
    demo.wait_for(r"sean must set up multi-factor authentication\.")
    demo.wait_for(r"Which one do you want to set up\?")
    demo.keys("Enter")  # the first: Authenticator app (TOTP)
    watch_the_app(demo, "sean")
    screen = demo.screen()
    secret = re.search(r"Secret: ([A-Z2-7]{16,})", screen)
    assert secret is not None, screen
    assert re.search(rf"URI: +otpauth://totp/[^ ]*sean\?secret={secret.group(1)}", screen)
    setup = screen[screen.index("Add this account to your authenticator app") : screen.index("Secret:")]
    assert setup.count("\n") > 15 and "▄" in setup and "█" in setup  # the QR code
    demo.type(totp_now(secret.group(1)))
    demo.wait_for(r"✓ Signed in as sean\.")
    screen = demo.wait_for(r'"cognito:username": "sean"')

    demo.wait_for(r"Number:", count=4)
    time.sleep(0.3)  # the prompt reads keys once drawn
    demo.keys("C-d")
    screen = demo.wait_for(r"EXIT=\d+")
    assert "Bye." in screen and "EXIT=0" in screen
    assert "Traceback" not in screen
    session = screen.split("EXIT=")[0].rstrip() + "\n"
    if os.environ.get("AUTHFLOW_SAVE_TRANSCRIPT"):
        TRANSCRIPT.write_text(session, encoding="utf-8")
    # The transcript in examples/ is this session (what varies from run to run masked): it cannot go stale.
    assert comparable(TRANSCRIPT.read_text(encoding="utf-8")) == comparable(session), (
        "examples/wizard-transcript.txt is not what the wizard shows now: run .venv/bin/python tests/docs/refresh.py"
    )


def comparable(transcript: str) -> str:
    """A wizard session with what changes from run to run masked: the port, codes, the new TOTP secret, the
    QR code drawn from it, countdowns, and the AWS credentials' key id and expiry."""
    text = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT", transcript)
    text = re.sub(r"\bASIA[A-Z0-9]{16}\b", "ASIAKEYID", text)
    text = re.sub(r"until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "until TIME", text)
    text = re.sub(r"\b\d{6}\b", "NNNNNN", text)
    text = re.sub(r"(Secret: +|secret=)[A-Z2-7]{16,}", r"\1SECRET", text)
    text = re.sub(r"(changes in|a new code in) \d+ s", r"\1 N s", text)
    lines = [line for line in text.splitlines() if not (line.strip() and set(line.strip()) <= set("▄▀█ "))]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def test_demo_shows_sms_codes_as_they_are_sent(demo: Tmux) -> None:
    demo.wait_for(r"Sign in as:")
    demo.keys("3")
    demo.keys("Enter")
    demo.wait_for(r"Password for sam:")
    demo.type(SEED_USERS["sam"]["password"])
    screen = demo.wait_for(r"authflow demo code for sam: \d{6}")
    assert "A code was sent by text message to +*******0100." in screen
    code = re.findall(r"authflow demo code for sam: (\d{6})", screen)[-1]
    demo.type(f"{code[:3]} {code[3:]}")  # pasted with a space
    demo.wait_for(r"✓ Signed in as sam\.")


def test_ctrl_c_in_a_sign_in_goes_back_and_at_the_list_leaves_with_130(demo: Tmux) -> None:
    demo.wait_for(r"Sign in as:")
    demo.type("1")  # alice
    demo.wait_for(r"Password for alice:")
    demo.keys("C-c")
    demo.wait_for(r"Sign-in cancelled\.")
    demo.wait_for(r"Sign in as:", count=2)
    demo.keys("C-c")
    screen = demo.wait_for(r"EXIT=\d+")
    assert "EXIT=130" in screen
    assert "Traceback" not in screen


def test_demo_for_one_user(tmp_path: Path) -> None:
    """In a 200-column terminal the AWS credentials line uses the width (it was cut near 100 columns), and it
    says truthfully what `authflow credentials` prints: a summary at a terminal, the whole with --output."""
    session = start_demo(tmp_path, "--user", "alice", width=200)
    try:
        session.wait_for(r"Password for alice:")
        session.type(SEED_USERS["alice"]["password"])
        session.wait_for(r"✓ Signed in as alice\.")
        screen = session.wait_for(r"EXIT=\d+")
        assert "EXIT=0" in screen and "Sign in as:" not in screen
        lines = screen.splitlines()
        first = next(i for i, line in enumerate(lines) if "AWS credentials from identity pool" in line)
        assert 150 < len(lines[first]) <= 200, lines[first]  # wrapped at the terminal's width, not near 100
        said = " ".join(" ".join(lines[first : first + 3]).split())
        assert re.search(r"ASIA[A-Z0-9]{16}, role authflow-demo-signed-in, until \S+Z \(`authflow credentials` "
                         r"shows a summary at a terminal; with `--output env`, `process` or `json` it prints them "
                         r"whole\)\.", said), said
    finally:
        session.close()


def test_demo_for_one_user_ends_with_the_sign_ins_exit_status(tmp_path: Path) -> None:
    """--user ends with the sign-in: Ctrl-C or Ctrl-D at its prompt is exit 130 (a failed one 1), as the contract's
    exit codes say (it exited 0 whatever happened)."""
    session = start_demo(tmp_path, "--user", "alice")
    try:
        session.wait_for(r"Password for alice:")
        session.keys("C-c")
        screen = session.wait_for(r"EXIT=\d+")
        assert "Sign-in cancelled." in screen and "EXIT=130" in screen
    finally:
        session.close()
    session = start_demo(tmp_path, "--user", "alice")
    try:
        session.wait_for(r"Password for alice:")
        session.type("Not-Her-Passw0rd!")  # refused: asked again, then Ctrl-D there ends it
        session.wait_for(r"Password for alice:", count=2)
        session.keys("C-d")
        screen = session.wait_for(r"EXIT=\d+")
        assert "EXIT=130" in screen and "Traceback" not in screen
    finally:
        session.close()


def test_demo_signs_pia_in_with_the_passkey_made_at_start(tmp_path: Path) -> None:
    session = start_demo(tmp_path, "--user", "pia")
    try:
        session.wait_for(r"How do you want to sign in, pia\?(.|\n)*1\. Passkey")
        session.keys("1")
        session.keys("Enter")
        session.wait_for(r"✓ Signed in as pia\.")
        screen = session.wait_for(r"EXIT=\d+")
        assert "EXIT=0" in screen and "Password for pia" not in screen
    finally:
        session.close()


# --- an 80x24 terminal (issue 23, item 17) -----------------------------------------------------------------

QR_GLYPHS = {" ": (False, False), "█": (True, True), "▀": (True, False), "▄": (False, True)}


def visible(demo: Tmux) -> list[str]:
    """The 24 lines on the screen now (no history)."""
    return demo._tmux("capture-pane", "-p", "-t", demo.name).splitlines()


def decode_screen_qr(lines: list[str]) -> list[str]:
    """The QR code drawn on the screen's lines (its first 41 columns, quiet zone included), decoded."""
    import zxingcpp
    from PIL import Image

    rows = [line[:41].ljust(41) for line in lines if "█" in line[:41] or "▀" in line[:41] or "▄" in line[:41]]
    pixels = [[QR_GLYPHS.get(ch, (False, False))[half] for ch in row] for row in rows for half in (0, 1)]
    pixels = [[False] * 41] * 2 + pixels + [[False] * 41] * 2  # the quiet zone rows above and below
    scale = 8
    image = Image.new("L", (41 * scale, len(pixels) * scale), 255)
    for y, row in enumerate(pixels):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_in_80x24_the_menu_is_the_table_qr_fits_and_decodes_and_10_means_10(tmp_path: Path) -> None:
    env = credential_free_env(tmp_path)
    env["TMUX_TMPDIR"] = str(tmp_path)
    env.pop("TMUX", None)
    env["TERM"] = "xterm-256color"
    argv = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "authflow", "demo"])
    demo = Tmux(f"cd {shlex.quote(str(REPO))} && {argv}", env, width=80, height=24)
    try:
        demo.wait_for(r"Number:")
        screen = "\n".join(visible(demo))
        for name, user in SEED_USERS.items():  # the whole table is on the screen with the menu
            assert re.search(rf"\d\. {name} +{re.escape(user['password'])} ", screen), (name, screen)
        assert "Sign in as" in screen and all(len(line) <= 80 for line in visible(demo))
        menu = [line for line in visible(demo) if re.match(r" +\d+\. ", line)]
        assert len({line.index(".") for line in menu}) == 1, menu  # "10. Quit" lines up with " 9. sean"

        # newton chooses a new password: his row then says so (and no longer asks for one)
        demo.type(str(list(SEED_USERS).index("newton") + 1))
        demo.wait_for(r"Password for newton:")
        demo.type(SEED_USERS["newton"]["password"])
        demo.wait_for(r"New password:")
        demo.type("Newton-Passw0rd!9")
        demo.wait_for(r"Repeat the new password:")
        demo.type("Newton-Passw0rd!9")
        demo.wait_for(r"Full name")
        demo.type("Isaac Newton")
        demo.wait_for(r"✓ Signed in as newton\.")
        demo.wait_for(r"Number:", count=2)
        row = next(line for line in visible(demo) if re.search(r"\d\. newton ", line))
        assert "Newton-Passw0rd!9" in row and "NEW_PASSWORD_REQUIRED" not in row and "changed" in row

        # sean sets up an authenticator app: the whole QR code is on the 24-line screen, and it decodes
        demo.type(str(list(SEED_USERS).index("sean") + 1))
        demo.wait_for(r"Password for sean:")
        demo.type(SEED_USERS["sean"]["password"])
        demo.wait_for(r"Which one do you want to set up\?")
        demo.keys("Enter")
        demo.wait_for(r"\nCode:")
        lines = visible(demo)
        shown = "\n".join(lines)  # beside the code, on the screen with it: which account, and what to do
        assert "Add sean to your authenticator app." in shown, shown
        assert "Scan this QR code with it, or type" in shown and "Then type the 6-digit code the app" in shown, shown
        secret = "".join(re.findall(r"\b([A-Z2-7]{4}(?: [A-Z2-7]{4}){3})$", "\n".join(lines), re.M)).replace(" ", "")
        assert len(secret) >= 16, lines
        assert decode_screen_qr(lines) == [f"otpauth://totp/authflow:sean?secret={secret}&issuer=authflow"]
        demo.type(totp_now(secret))
        demo.wait_for(r"✓ Signed in as sean\.")
        demo.wait_for(r"Number:", count=3)
        row = next(line for line in visible(demo) if re.search(r"\d\. sean ", line))
        assert "MFA set up here: SOFTWARE_TOKEN_MFA now" in row, row  # no longer "MFA_SETUP"

        # "10" is the tenth option (Quit), not the first
        demo.wait_for(r"10\. Quit")
        demo.type("10")
        demo.wait_for(r"Bye\.")
        demo.wait_for(r"EXIT=0")
    finally:
        demo.close()


def test_in_80_columns_no_line_is_broken_in_the_middle_of_a_word(tmp_path: Path) -> None:
    """tina at 80x24: the TOTP secret, a wrong code's refusal, the id token and the AWS credentials lines are
    wrapped between words, each line within 80 columns (the terminal broke them mid-word before)."""
    env = credential_free_env(tmp_path)
    env["TMUX_TMPDIR"] = str(tmp_path)
    env.pop("TMUX", None)
    env["TERM"] = "xterm-256color"
    argv = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "authflow", "demo"])
    demo = Tmux(f"cd {shlex.quote(str(REPO))} && {argv}", env, width=80, height=24)
    try:
        demo.wait_for(r"Number:")
        demo.type(str(list(SEED_USERS).index("tina") + 1))
        demo.wait_for(r"Password for tina:")
        demo.type(SEED_USERS["tina"]["password"])
        demo.wait_for(r"\nCode:")
        demo.type("000000")
        demo.wait_for(r"Try again\.")
        demo.type(totp_now(SEED_USERS["tina"]["totp_secret"]))
        demo.wait_for(r"✓ Signed in as tina\.")
        screen = demo.wait_for(r"Number:", count=2)  # -J: a line the terminal wrapped shows whole, longer than 80
        long = [line for line in screen.splitlines() if len(line) > 80]
        assert not long, long
        assert SEED_USERS["tina"]["totp_secret"] in screen.replace("\n", "")
        assert re.search(r"CodeMismatchException", screen) and re.search(r"ASIA[A-Z0-9]{16}", screen), screen
    finally:
        demo.close()


def test_in_80x24_the_outcome_of_a_sign_in_stays_on_the_screen_above_the_menu(tmp_path: Path) -> None:
    """After a sign-in the menu is drawn again under it; in an 80x24 terminal what the sign-in printed scrolls
    up. How it ended is said again on the line right above the menu, so the screen (not only the scrollback)
    shows it: a success, and then a cancelled sign-in."""
    env = credential_free_env(tmp_path)
    env["TMUX_TMPDIR"] = str(tmp_path)
    env.pop("TMUX", None)
    env["TERM"] = "xterm-256color"
    argv = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "authflow", "demo"])
    demo = Tmux(f"cd {shlex.quote(str(REPO))} && {argv}", env, width=80, height=24)

    def above_the_menu() -> tuple[list[str], str]:
        lines = [line.rstrip() for line in visible(demo)]
        title = max(i for i, line in enumerate(lines) if line == "Sign in as:")
        assert any(line.startswith("Number:") for line in lines[title:]), lines  # the whole menu is on the screen
        return lines, lines[title - 1]

    try:
        demo.wait_for(r"Number:")
        assert "Last sign-in" not in "\n".join(visible(demo))  # nothing yet

        # newton: the longest success (a new password, the attribute, tokens, credentials, the new password)
        demo.type(str(list(SEED_USERS).index("newton") + 1))
        demo.wait_for(r"Password for newton:")
        demo.type(SEED_USERS["newton"]["password"])
        demo.wait_for(r"New password:")
        demo.type("Newton-Passw0rd!9")
        demo.wait_for(r"Repeat the new password:")
        demo.type("Newton-Passw0rd!9")
        demo.wait_for(r"Full name")
        demo.type("Isaac Newton")
        demo.wait_for(r"Number:", count=2)
        lines, last = above_the_menu()
        assert last == "Last sign-in: ✓ Signed in as newton.", lines
        assert all(len(line) <= 80 for line in lines)

        # a sign-in cancelled at the password: the menu then says that, not the earlier success
        demo.type("1")  # alice
        demo.wait_for(r"Password for alice:")
        demo.keys("C-c")
        demo.wait_for(r"Number:", count=3)
        lines, last = above_the_menu()
        assert last == "Last sign-in: alice: cancelled.", lines

        demo.keys("C-d")
        demo.wait_for(r"EXIT=0")
    finally:
        demo.close()
