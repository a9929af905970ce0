"""The plugin is tested the way users meet it: through pytest's ``pytester`` running a user's test file."""

pytest_plugins = ["pytester"]
