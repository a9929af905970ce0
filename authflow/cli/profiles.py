"""``authflow profiles``: the names of the profiles in the profiles file, one a line (see authflow.profiles)."""

from __future__ import annotations

import argparse
from typing import Any

from authflow.cli.options import EXIT_OK


def register(sub: Any) -> None:
    command = sub.add_parser(
        "profiles",
        help="list the named profiles ([profiles.NAME] of the profiles file)",
        description="Print the names of the profiles in the profiles file (AUTHFLOW_CONFIG, default: config.toml "
        "in the user's config directory for authflow), one a line, after checking that every key is "
        "a setting of some command. Any command takes --profile NAME "
        "(AUTHFLOW_PROFILE) to read its settings from one; a flag or environment variable wins over it.",
    )
    command.set_defaults(func=cmd_profiles)


def cmd_profiles(args: argparse.Namespace) -> int:
    from authflow.cli.output import warn
    from authflow.profiles import check, config_path, load_profiles

    path = config_path()
    profiles = load_profiles(path)
    for name, settings in profiles.items():
        check(name, settings, args.parser)  # every command's parser: a key none takes (a typo) is said here
    for name in profiles:
        print(name)
    if not profiles:  # nothing on stdout, as a script expects; a person is told why (on stderr)
        where = f"no profiles file {path}" if not path.exists() else f"no [profiles.NAME] table in {path}"
        warn(f"{where}: write [profiles.NAME] tables there (keys as the flags without dashes, e.g. pool_id), "
             "or name another file with AUTHFLOW_CONFIG.")
    return EXIT_OK
