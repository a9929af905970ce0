"""Several sign-ins on one asyncio event loop:  python examples/async_sign_in.py"""

from __future__ import annotations

import asyncio

from authflow import ScriptedHandler, UserPool
from authflow.aio import sign_in_async
from authflow.localpool import LocalUserPool


async def main() -> None:
    with LocalUserPool("demo") as local:
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        tina = ScriptedHandler(password="Tina-Passw0rd!", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        alice = ScriptedHandler(password="Alice-Passw0rd!")
        tokens = await asyncio.gather(sign_in_async(pool, "tina", tina), sign_in_async(pool, "alice", alice))
        for name, result in zip(("tina", "alice"), tokens, strict=True):
            print(name, result)


if __name__ == "__main__":
    asyncio.run(main())
