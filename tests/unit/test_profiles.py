"""Named profiles (authflow.profiles): the file, the choice of profile, and who wins (flag > environment
variable > profile > built-in default)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from authflow import profiles
from authflow.profiles import ProfileError


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="t")
    sub = top.add_subparsers(dest="command")
    login = sub.add_parser("login")
    login.add_argument("--pool-id", default=os.environ.get("AUTHFLOW_POOL_ID"))
    login.add_argument("--auth-flow", default="USER_SRP_AUTH")
    login.add_argument("--leeway", type=float, default=60.0)
    login.add_argument("--non-interactive", action="store_true")
    profiles.add_profile_option(login)
    other = sub.add_parser("other")
    other.add_argument("--identity-pool-id")
    return top


def write(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return {"AUTHFLOW_CONFIG": str(path)}


WORK = """
[profiles.work]
pool_id = "eu-west-1_Work1"
auth_flow = "USER_PASSWORD_AUTH"
leeway = 120
non_interactive = true
identity_pool_id = "eu-west-1:0000"

[profiles.home]
pool_id = "us-east-1_Home1"
"""


def parse(argv: list[str], env: dict[str, str]) -> argparse.Namespace:
    top = parser()
    profiles.apply(top, argv, env)
    return top.parse_args(argv)


def test_a_profile_fills_in_what_flags_and_variables_leave_out(tmp_path: Path) -> None:
    env = write(tmp_path, WORK)
    args = parse(["login", "--profile", "work"], env)
    assert (args.pool_id, args.auth_flow, args.leeway, args.non_interactive) == \
        ("eu-west-1_Work1", "USER_PASSWORD_AUTH", 120.0, True)
    assert parse(["login", "--profile=work", "--auth-flow", "USER_AUTH"], env).auth_flow == "USER_AUTH"  # flag wins
    assert parse(["login"], {**env, "AUTHFLOW_PROFILE": "home"}).pool_id == "us-east-1_Home1"
    assert parse(["login"], env).auth_flow == "USER_SRP_AUTH"  # no profile chosen: built-in defaults


def test_an_environment_variable_wins_over_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**write(tmp_path, WORK), "AUTHFLOW_POOL_ID": "us-west-2_FromEnv"}
    monkeypatch.setenv("AUTHFLOW_POOL_ID", "us-west-2_FromEnv")  # the parser reads it as its default
    assert parse(["login", "--profile", "work"], env).pool_id == "us-west-2_FromEnv"


@pytest.mark.parametrize(("text", "message"), [
    ("[profiles.work\npool_id = 1", "not valid TOML"),
    ("[other]\nx = 1", "tables other than [profiles.NAME]"),
    ("[profiles]\nwork = 3", "is not a table"),
    ("[profiles.work]\npool_id = [1, 2]", "must be a string, number or true/false"),
    ("[profiles.work]\npoolid = 'x'", "unknown setting(s) poolid"),
    ("[profiles.work]\nnon_interactive = 'yes'", "non_interactive must be true or false"),
    ("[profiles.home]\npool_id = 'x'", "no profile 'work'"),
])
def test_mistakes_are_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    env = write(tmp_path, text)
    with pytest.raises(ProfileError) as excinfo:
        parse(["login", "--profile", "work"], env)
    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_no_file_no_profiles_and_the_default_path(tmp_path: Path) -> None:
    env = {"AUTHFLOW_CONFIG": str(tmp_path / "absent.toml")}
    assert profiles.load_profiles(Path(env["AUTHFLOW_CONFIG"])) == {}
    with pytest.raises(ProfileError, match=r"no profile 'work'.*profiles: none"):
        parse(["login", "--profile", "work"], env)
    with pytest.raises(ProfileError, match=r"no profile 'work': there is no profiles file .*absent\.toml"):
        parse(["login", "--profile", "work"], env)  # said so: not "no profile in absent.toml" as if it were there
    assert profiles.config_path({}).name == "config.toml"
    assert "authflow" in str(profiles.config_path({}))
    assert sorted(profiles.load_profiles(Path(write(tmp_path, WORK)["AUTHFLOW_CONFIG"]))) == ["home", "work"]


def test_settings_is_every_key_a_command_takes() -> None:
    """profiles.SETTINGS (what a command parsed alone checks a profile against) is what the full parser takes."""
    from authflow.cli import build_parser

    full = build_parser(None)
    assert profiles.unknown_settings(full, dict.fromkeys(profiles.SETTINGS)) == []
    known = {a.dest for a in profiles._actions(full) if a.dest not in profiles.NOT_SETTINGS}
    assert known == profiles.SETTINGS


def test_every_options_own_environment_variable_wins_over_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each option whose default is read from an AUTHFLOW_* variable is known to apply() by that variable's name
    (AUTHFLOW_PASSKEY_ORIGIN is --origin's, not AUTHFLOW_ORIGIN), so that the variable wins over a profile."""
    import re

    from authflow.cli import build_parser

    for name in os.environ:
        if name.startswith("AUTHFLOW_"):
            monkeypatch.delenv(name)
    helps = " ".join(a.help or "" for a in profiles._actions(build_parser(None)))
    names = set(re.findall(r"AUTHFLOW_[A-Z_]+[A-Z]", helps)) - {"AUTHFLOW_PROFILE", "AUTHFLOW_CONFIG"}
    for name in names:
        monkeypatch.setenv(name, f"from-{name}")
    read = {a.dest: a.default for a in profiles._actions(build_parser(None))
            if isinstance(a.default, str) and a.default.startswith("from-AUTHFLOW_")}
    assert "origin" in read  # the case that differs from AUTHFLOW_<KEY>
    for dest, default in read.items():
        assert profiles.environment_name(dest) == default.removeprefix("from-"), dest


def test_the_passkey_origin_variable_wins_over_a_profiles_origin(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from authflow.cli import build_parser

    env = {**write(tmp_path, "[profiles.o]\norigin = 'https://from-profile.example'\n"),
           "AUTHFLOW_PASSKEY_ORIGIN": "https://from-environment.example"}
    monkeypatch.setenv("AUTHFLOW_PASSKEY_ORIGIN", env["AUTHFLOW_PASSKEY_ORIGIN"])  # the parser's default
    top = build_parser("passkey")
    argv = ["passkey", "add", "--profile", "o", "--software", str(tmp_path / "k")]
    profiles.apply(top, argv, env, strict=False)
    assert top.parse_args(argv).origin == "https://from-environment.example"
    monkeypatch.delenv("AUTHFLOW_PASSKEY_ORIGIN")
    top = build_parser("passkey")
    profiles.apply(top, argv, {k: v for k, v in env.items() if k != "AUTHFLOW_PASSKEY_ORIGIN"}, strict=False)
    assert top.parse_args(argv).origin == "https://from-profile.example"  # the profile, when nothing else says


def test_per_command_values_are_what_the_commands_take() -> None:
    """PER_COMMAND_VALUES["output"] is every value some command's --output takes (no more: a value none takes is
    a mistake said as the profile's)."""
    from authflow.cli import build_parser

    taken: set[str] = set()
    for action in profiles._actions(build_parser(None)):
        if action.dest == "output":
            taken |= set(getattr(action.type, "values", None) or action.choices or ())
    assert taken == set(profiles.PER_COMMAND_VALUES["output"])


def test_a_profiles_output_for_other_commands_leaves_this_ones_default(tmp_path: Path) -> None:
    """output = "access-token" (login's) in a profile: account and credentials, which print other things, keep their
    own default (they refused the profile, exit 2); a value no command takes is still refused."""
    from authflow.cli import build_parser

    env = write(tmp_path, "[profiles.p]\noutput = 'access-token'\n[profiles.typo]\noutput = 'jsno'\n")

    def output_of(argv: list[str]) -> object:
        top = build_parser(argv[0])
        profiles.apply(top, argv, env, strict=False)
        return top.parse_args(argv).output

    assert output_of(["login", "--profile", "p"]) == "access-token"
    assert output_of(["account", "--profile", "p"]) == "json"
    assert output_of(["credentials", "--profile", "p"]) is None  # its default: process, or a summary at a terminal
    assert output_of(["credentials", "--profile", "p", "--output", "env"]) == "env"
    with pytest.raises(ProfileError, match="output = 'jsno' is refused"):
        output_of(["account", "--profile", "typo"])
