"""``authflow demo``: the terminal wizard against a local user pool of demo users, in this terminal."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from authflow.errors import AuthflowError, EndOfInput, Interrupted, UsageError
from authflow.prompts import Answer, Prompt, PromptKind

if TYPE_CHECKING:
    from authflow.tokens import Tokens
    from authflow.wizard import TerminalHandler


class Demo:
    """``authflow demo``: the wizard against a local user pool of demo users, in this terminal.

    It lists the demo users with their passwords, shows each SMS or email code as the pool "sends" it,
    and plays the authenticator app of users with a TOTP secret, so every scenario can be tried without
    a phone. Ctrl-C or Ctrl-D during a sign-in go back to the list; at the list Ctrl-D or "Quit" leave.
    """

    QUIT = "__quit__"
    #: Seconds before a TOTP code changes when the demo stops showing it (no time left to type it).
    TOO_LATE = 5

    def __init__(self, local: Any, *, input: Any = None, output: Any = None, poll: float = 0.2) -> None:
        self.local = local
        self.users = {str(u["username"]): u for u in local.demo_users()}
        self.input, self.output = input, output
        self.poll = poll
        self._seen = 0
        self._lock = threading.Lock()
        self._new_passwords: dict[str, str] = {}  # typed at NEW_PASSWORD prompts, checked after the sign-in
        #: How the last sign-in ended (text, style): said again right above the menu, so that it stays on the
        #: screen when the menu is drawn under a long sign-in.
        self.last: tuple[str, str] | None = None

    def terminal(self) -> TerminalHandler:
        from authflow.wizard import TerminalHandler

        return TerminalHandler(
            input=self.input, output=self.output, code_hint=self._authenticator_app, on_answer=self._note
        )

    # --- what the pool "sends" ------------------------------------------------------------------------

    def _show_deliveries(self, stop: threading.Event) -> None:
        while not stop.wait(self.poll):
            self.flush_deliveries()

    def flush_deliveries(self) -> None:
        with self._lock:
            messages = self.local.outbox()[self._seen :]
            self._seen += len(messages)
        for message in messages:
            how = "Text message" if message.medium == "SMS" else "Email"
            print(f"  [{how} to {message.destination}] authflow demo code for {message.username}: {message.code}")

    def _authenticator_app(self, prompt: Prompt) -> str | None:
        """What the user's authenticator app shows now, counting down; never a code about to change."""
        secret: str | None = None
        if prompt.kind is PromptKind.TOTP_SETUP:
            secret = prompt.secret_code
        elif prompt.kind is PromptKind.TOTP_CODE:
            row = self.users.get(prompt.username)
            try:
                user = self.local.user(prompt.username, pool_id=row["pool_id"] if row else None)
            except KeyError:
                return None
            secret = user.totp_secret
        if not secret:
            return None
        from authflow import totp

        now = time.time()
        left = int(totp.STEP - now % totp.STEP) + 1
        app = f"[Authenticator app of {prompt.username}]"
        if left <= self.TOO_LATE:
            return f"{app} a new code in {left} s"
        return f"{app} {totp.code_now(secret, now, f'the TOTP secret of {prompt.username}')}  (changes in {left} s)"

    def _note(self, prompt: Prompt, answer: Answer) -> None:
        if prompt.kind is PromptKind.NEW_PASSWORD and isinstance(answer, Mapping) and answer.get("new_password"):
            self._new_passwords[prompt.username] = answer["new_password"]

    def _passwords_changed(self) -> list[str]:
        """Users whose new password the pool took: the table shows the password that works now."""
        changed = []
        for name, candidate in self._new_passwords.items():
            row = self.users[name]
            record = self.local.user(name, pool_id=row["pool_id"]).password
            if row.get("password") != candidate and record is not None and record.check(candidate):
                row["password"] = candidate
                row["password_changed"] = True  # the menu no longer says a new password must be chosen
                changed.append(name)
        self._new_passwords.clear()
        return changed

    def _note_mfa_set_up(self, name: str) -> None:
        """A user who had to set up MFA and did: the menu says what the next sign-in asks instead."""
        row = self.users[name]
        if not str(row.get("description", "")).startswith("MFA_SETUP"):
            return
        try:
            user = self.local.user(name, pool_id=row["pool_id"])
        except KeyError:
            return
        method = user.preferred_mfa or next(iter(sorted(user.mfa_enabled)), None)
        if method:
            row["mfa_set_up"] = method

    # --- the screens ----------------------------------------------------------------------------------

    def introduce(self, terminal: TerminalHandler) -> None:
        terminal.say("authflow demo", "class:title")
        terminal.say(f"A local Cognito-compatible user pool is running at {self.local.endpoint_url}.")
        terminal.say("Below: each demo user's name, password, and what its sign-in shows. The codes\n"
                     "the pool sends, and the users' authenticator apps, show here as they happen.")

    #: The menu's width: it fits an 80-column terminal.
    WIDTH = 78

    def pick(self, terminal: TerminalHandler) -> str:
        """The menu, which is also the table of the demo users (name, password, what each shows): short enough
        for a 24-line terminal, so it never scrolls away; typed numbers go past 9."""
        width = max(len(name) for name in self.users)
        passwords = max(len(str(row.get("password") or "-")) for row in self.users.values())
        if self.last is not None:
            text, style = self.last
            line = f"Last sign-in: {text}"
            terminal.say(line if len(line) <= self.WIDTH else line[: self.WIDTH - 1] + "…", style)
        options = []
        for name, row in self.users.items():
            line = f"{name:<{width}}  {row.get('password') or '-':<{passwords}}  {self._scenario(name)}"
            options.append((name, line[: self.WIDTH - 6]))
        try:
            return terminal.select("Sign in as:", [*options, (self.QUIT, "Quit")])
        except EndOfInput:
            return self.QUIT

    def _scenario(self, name: str) -> str:
        row = self.users[name]
        if row.get("password_changed"):
            return "password changed here: a plain sign-in now"
        if row.get("mfa_set_up"):
            return f"MFA set up here: {row['mfa_set_up']} now"
        return str(row.get("description", "")).split(":")[0]

    def auth_flow(self, name: str) -> str:
        return "USER_AUTH" if self._scenario(name).startswith("USER_AUTH") else "USER_SRP_AUTH"

    def sign_in(self, terminal: TerminalHandler, name: str) -> int:
        """Sign ``name`` in with the wizard; the exit status its outcome stands for (0 signed in, 1 failed, 130
        cancelled at a prompt), which ``--user`` ends with."""
        from authflow.transport import UserPool
        from authflow.wizard import run_wizard

        row = self.users[name]
        pool = UserPool(str(row["pool_id"]), str(row["client_id"]), endpoint_url=self.local.endpoint_url)
        flow = self.auth_flow(name)
        terminal.say("")
        terminal.say(f"Signing in as {name} ({flow}).", "class:title")
        if row.get("totp_secret"):
            terminal.say(f"{name}'s TOTP secret, for a real authenticator app: {row['totp_secret']}", "class:dim")
        terminal.passkey = None
        if row.get("passkey_file"):  # the demo user's software passkey stands in for a security key
            from authflow.passkeys import SoftwarePasskey

            terminal.passkey = SoftwarePasskey(str(row["passkey_file"]))
        try:
            tokens = run_wizard(pool, name, handler=terminal, auth_flow=flow, totp_issuer="authflow")
        except (Interrupted, EndOfInput):
            terminal.say("Sign-in cancelled.\n", "class:error")
            self.last = (f"{name}: cancelled.", "class:error")
            status = 130
        except AuthflowError as exc:
            said = " ".join(str(exc).split())
            terminal.say(f"✗ {said}\n", "class:error")
            self.last = (f"✗ {name}: {said}", "class:error")
            status = 1
        else:
            self.summarize(terminal, tokens)
            self.last = (f"✓ Signed in as {name}.", "class:ok")
            status = 0
        self._note_mfa_set_up(name)
        for changed in self._passwords_changed():
            terminal.say(f"{changed}'s password is now {self.users[changed]['password']} (the menu says so too).",
                         "class:title")
        return status

    def summarize(self, terminal: TerminalHandler, tokens: Tokens) -> None:
        from authflow.tokencache import jwt_claims

        claims = jwt_claims(tokens.id_token) if tokens.id_token else {}
        shown = {k: claims[k] for k in ("cognito:username", "name", "email", "phone_number") if k in claims}
        terminal.say(f"  Tokens: access, id and refresh; they expire in {tokens.expires_in} s.")
        terminal.say(f"  The id token says: {json.dumps(shown)}")
        for line in self.credentials_lines(tokens):
            terminal.say(line)
        terminal.say("")

    def credentials_lines(self, tokens: Tokens) -> list[str]:
        """What the identity pool of the user's pool gives (``authflow credentials``): the key id and role, never
        the secret; nothing where no identity pool trusts the pool."""
        from authflow.credentials import IdentityPoolAccess, iso8601
        from authflow.tokencache import jwt_claims

        if not tokens.id_token:
            return []
        pool_id = str(jwt_claims(tokens.id_token).get("iss", "")).rsplit("/", 1)[-1]
        for identity_pool in self.local.identity_pools():
            if any(str(p.get("ProviderName", "")).endswith(f"/{pool_id}") for p in identity_pool.providers):
                access = IdentityPoolAccess(identity_pool.id, pool_id, endpoint_url=self.local.endpoint_url)
                try:
                    found = access.credentials(tokens.id_token)
                except AuthflowError as exc:
                    return [f"  AWS credentials: {' '.join(str(exc).split())}"]
                role = self.local.issued_credentials(found.access_key_id)["RoleArn"].rsplit("/", 1)[-1]
                # one line: the terminal handler wraps it between words to the terminal's width, whatever it is
                return [f"  AWS credentials from identity pool {identity_pool.name}: {found.access_key_id},"
                        f" role {role}, until {iso8601(found.expiration)} (`authflow credentials` shows a summary"
                        " at a terminal; with `--output env`, `process` or `json` it prints them whole)."]
        return []

    def run(self, only: str | None = None) -> int:
        from prompt_toolkit.patch_stdout import patch_stdout

        if only is not None and only not in self.users:
            raise UsageError(f"no demo user {only!r} (demo users: {', '.join(self.users)})")
        terminal = self.terminal()
        self.introduce(terminal)
        stop = threading.Event()
        watcher = threading.Thread(target=self._show_deliveries, args=(stop,), daemon=True)
        with patch_stdout(raw=True):
            watcher.start()
            try:
                if only is not None:  # the command ends with this sign-in: its exit status says how it went
                    return self.sign_in(terminal, only)
                while True:
                    name = self.pick(terminal)
                    if name == self.QUIT:
                        terminal.say("Bye.")
                        return 0
                    self.sign_in(terminal, name)
            finally:
                stop.set()
                watcher.join(timeout=2)
                self.flush_deliveries()
