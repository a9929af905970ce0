"""``--profile`` on every command that reads a pool (cli-contract: "Named profiles (every command)"). The commands
come from the CLI's own parser, so a command added later is covered without touching this file: each lists
``--profile`` in its ``--help``, takes its pool id from the chosen profile (through the same ``apply`` and
``PoolConfig.from_args`` the command runs), and an unknown profile is one line on stderr, exit 2."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from authflow.cli import build_parser
from authflow.cli.options import PoolConfig
from authflow.errors import UsageError
from authflow.profiles import apply
from tests.helpers.cli import credential_free_env, run_cli

PROFILE_POOL = "eu-west-2_FromProfile9"
PROFILE_CLIENT = "profileclient00000000000001"


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                                        argparse.ArgumentParser]]:
    """Every runnable command (subcommands walked down to the last level) with its parser."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(path, parser)]
    found, seen = [], set()
    for name, sub in subs[0].choices.items():
        if id(sub) not in seen:  # an alias names the same parser
            seen.add(id(sub))
            found += leaves(sub, (*path, name))
    return found


def reads_a_pool(parser: argparse.ArgumentParser) -> bool:
    return any("--pool-id" in action.option_strings for action in parser._actions)


POOL_COMMANDS = [path for path, parser in leaves(build_parser()) if reads_a_pool(parser)]


def test_the_list_is_the_parsers_and_has_every_family() -> None:
    names = {path[0] for path in POOL_COMMANDS}
    assert {"login", "token", "logout", "account", "credentials", "passkey", "sign-up", "reset-password",
            "confirm-sign-up"} <= names, names
    assert len(POOL_COMMANDS) >= 20


def profiles_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.work]\npool_id = "{PROFILE_POOL}"\nclient_id = "{PROFILE_CLIENT}"\n'
                    'endpoint_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    return path


def positionals(parser: argparse.ArgumentParser) -> list[str]:
    """A stand-in for each required positional argument of the command (its first choice or word, if it has
    some)."""
    values = []
    for action in parser._actions:
        if not action.option_strings and action.nargs not in ("?", "*", argparse.SUPPRESS) \
                and not isinstance(action, argparse._SubParsersAction):
            if action.choices:
                values.append(str(next(iter(action.choices))))
            elif "|" in str(action.metavar or ""):  # one of a few words, checked by its type
                values.append(str(action.metavar).split("|")[0])
            else:
                values.append("name=value")
    return values


@pytest.mark.parametrize("path", POOL_COMMANDS, ids=" ".join)
def test_the_command_takes_its_pool_from_the_profile(path: tuple[str, ...], tmp_path: Path) -> None:
    leaf = dict(leaves(build_parser()))[path]
    assert any("--profile" in action.option_strings for action in leaf._actions)
    assert "--profile NAME" in leaf.format_help()
    parser = build_parser(path[0])  # as main() builds it for this command
    argv = [*path, *positionals(leaf), "--profile", "work"]
    assert apply(parser, argv, {"AUTHFLOW_CONFIG": str(profiles_file(tmp_path))}, strict=False) == "work"
    config = PoolConfig.from_args(parser.parse_args(argv))
    assert (config.pool_id, config.client_id, config.region) == (PROFILE_POOL, PROFILE_CLIENT, "eu-west-2")
    assert config.endpoint_url == "http://127.0.0.1:9"


@pytest.mark.parametrize("path", POOL_COMMANDS, ids=" ".join)
def test_an_unknown_profile_is_one_line_and_exit_2(path: tuple[str, ...], tmp_path: Path) -> None:
    env = credential_free_env(tmp_path, {"AUTHFLOW_CONFIG": str(profiles_file(tmp_path))})
    done = run_cli([*path, "--profile", "nosuch"], env, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("authflow: "), done.stderr
    assert "nosuch" in lines[0] and "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize("path", POOL_COMMANDS, ids=" ".join)
def test_a_malformed_pool_id_of_a_profile_is_said_as_the_profiles(path: tuple[str, ...], tmp_path: Path) -> None:
    """The profile's pool id is what the command checks: a malformed one names the profile and its file, not
    --pool-id / AUTHFLOW_POOL_ID that nobody gave."""
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.typo]\npool_id = "eu-west-2 FromProfile"\nclient_id = "{PROFILE_CLIENT}"\n',
                      encoding="utf-8")
    leaf = dict(leaves(build_parser()))[path]
    parser = build_parser(path[0])
    argv = [*path, *positionals(leaf), "--profile", "typo"]
    apply(parser, argv, {"AUTHFLOW_CONFIG": str(config)}, strict=False)
    with pytest.raises(UsageError) as refused:
        PoolConfig.from_args(parser.parse_args(argv))
    said = str(refused.value)
    assert f"the pool id 'eu-west-2 FromProfile' (profile 'typo' in {config}: pool_id)" in said, said
    assert "AUTHFLOW_POOL_ID" not in said


def test_a_malformed_pool_id_of_a_profile_at_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.typo]\npool_id = "eu-west-2 FromProfile"\nclient_id = "{PROFILE_CLIENT}"\n',
                      encoding="utf-8")
    done = run_cli(["login", "--non-interactive", "--username", "ann", "--profile", "typo"],
                   credential_free_env(tmp_path, {"AUTHFLOW_CONFIG": str(config)}), timeout=60)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "(profile 'typo' in " in lines[0] and "AUTHFLOW_POOL_ID" not in lines[0], lines
    # given by flag, it is still said as the flag's
    flagged = run_cli(["login", "--non-interactive", "--username", "ann", "--pool-id", "nope", "--client-id",
                       PROFILE_CLIENT], credential_free_env(tmp_path), timeout=60)
    assert flagged.returncode == 2 and "(--pool-id / AUTHFLOW_POOL_ID)" in flagged.stderr, flagged.stderr
