"""Every operation the local user pool answers, by its X-Amz-Target name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authflow.localpool import account, admin, auth

if TYPE_CHECKING:
    from authflow.localpool.service import Handler

OPERATIONS: dict[str, Handler] = {**auth.OPERATIONS, **account.OPERATIONS, **admin.OPERATIONS}
