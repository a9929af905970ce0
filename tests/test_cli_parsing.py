"""How the command line reads nested actions: an option given before an action's name is kept."""

from __future__ import annotations

from authflow.cli import build_parser


def test_an_option_before_the_action_is_kept_and_one_after_it_wins() -> None:
    parser = build_parser("account")
    before = parser.parse_args(["account", "--pool-id", "us-east-1_Before", "--non-interactive", "password"])
    assert (before.pool_id, before.non_interactive, before.func.__name__) == ("us-east-1_Before", True, "cmd_password")
    after = parser.parse_args(["account", "--pool-id", "us-east-1_Before", "mfa", "enable", "sms",
                               "--pool-id", "us-east-1_After"])
    assert (after.pool_id, after.method) == ("us-east-1_After", "sms")
    plain = parser.parse_args(["account", "devices", "forget", "--current"])
    assert plain.current is True and plain.non_interactive is False
