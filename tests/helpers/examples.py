"""Where the examples the tests load live."""

from __future__ import annotations

from pathlib import Path

#: The desktop example app (a Qt window signing in with authflow.qt).
DESKTOP_QT = Path(__file__).resolve().parents[2] / "examples" / "desktop_qt.py"
