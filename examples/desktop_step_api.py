"""A desktop app's sign-in, with the step API: nothing blocks, the Session can move between windows.

Runs against authflow's local user pool, so it works offline:  python examples/desktop_step_api.py
A real app shows each ``step.prompt`` in a dialog; here ``dialog()`` answers as the person would.
"""

from __future__ import annotations

import json

from authflow import AuthFlow, Prompt, PromptKind, UserPool
from authflow.localpool import LocalUserPool


def main() -> None:
    with LocalUserPool("demo") as local:
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)

        def dialog(prompt: Prompt) -> dict[str, str]:
            """Stand-in for the app's dialog: builds the answer from the prompt's fields."""
            print(f"  dialog: {prompt.message}")
            if prompt.kind is PromptKind.PASSWORD:
                return {"password": "Sam-Passw0rd!"}
            if prompt.kind is PromptKind.CODE:
                print(f"  (the code went to {prompt.destination} by {prompt.delivery_medium})")
                return {"code": local.last_code("sam")}
            raise RuntimeError(f"this example does not expect {prompt.kind}")

        flow = AuthFlow(pool, "sam")
        step = flow.start()  # asks for the password; nothing is sent yet
        step = flow.respond(dialog(step.prompt))  # type: ignore[arg-type]
        print(f"state {flow.state}, Session expires around {flow.session_expires_at:.0f}")

        # The app closes the window; another window (or process) picks the sign-in up.
        saved = json.dumps(flow.snapshot())
        resumed = AuthFlow.resume(pool, json.loads(saved))
        step = resumed.step
        while not step.done:
            step = resumed.respond(dialog(step.prompt))  # type: ignore[arg-type]
        print("signed in:", step.tokens)
        print("first window:", " -> ".join(flow.history))
        print("second window:", " -> ".join(resumed.history))


if __name__ == "__main__":
    main()
