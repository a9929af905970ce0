"""The managed login pages as plain server-rendered HTML: one function per page, every value escaped.

No script runs on these pages. Each form posts back to the page it came from with the sign-in's CSRF token
(``_csrf``) in a hidden field; ``localpool.oauth`` checks it against the sign-in the browser's cookie names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qsl, urlencode

from authflow.errors import cognito_error
from authflow.labels import explain_refusal
from authflow.localpool.errors import PoolError

STYLE = """
*{box-sizing:border-box}
body{margin:0;background:#f2f3f3;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:#16191f}
main{max-width:420px;margin:48px auto;padding:32px;background:#fff;border:1px solid #d5dbdb;border-radius:8px}
h1{font-size:22px;margin:0 0 4px}
p.app{margin:0 0 20px;color:#545b64;font-size:14px;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:14px 0 4px}
input[type=text],input[type=password],input[type=email],input[type=tel],select{width:100%;padding:9px 10px;
font-size:16px;border:1px solid #879596;border-radius:4px}
button{width:100%;margin-top:20px;padding:10px;font-size:16px;font-weight:600;border:0;border-radius:4px;
background:#0972d3;color:#fff;cursor:pointer}
button.idp{background:#fff;color:#0972d3;border:1px solid #0972d3;margin-top:10px}
.error{margin:0 0 12px;padding:10px 12px;background:#fff0f0;border-left:4px solid #d13212;color:#8b0000;
overflow-wrap:anywhere}
.notice{margin:0 0 12px;padding:10px 12px;background:#f1faff;border-left:4px solid #0972d3;overflow-wrap:anywhere}
.or{margin:20px 0 0;text-align:center;color:#545b64;font-size:14px}
code{font-size:15px;overflow-wrap:anywhere;background:#f2f3f3;padding:2px 4px}
p.hint{margin:4px 0 0;color:#545b64;font-size:14px;overflow-wrap:anywhere}
p.hint a{color:#0972d3}
p.qr{margin:0 0 8px;text-align:center}
p.qr svg{max-width:100%;height:auto}
button.secondary{background:#fff;color:#0972d3;border:1px solid #0972d3;margin-top:10px}
p.links{margin:18px 0 0;text-align:center;font-size:14px;overflow-wrap:anywhere}
p.links a{color:#0972d3;margin:0 8px}
@media (max-width:480px){main{margin:16px 12px;padding:24px 18px}}
"""


def refusal(error: PoolError, *, headline_only: bool = False) -> str:
    """Why the pool refused what a page sent, in a person's words: the words the terminal wizard and the Qt
    dialog show for the same refusal (:func:`authflow.labels.explain_refusal`), not Cognito's message ("That
    code is not right. Check it and try again.", not "Invalid code or auth state for the user.").
    ``headline_only``: what went wrong without the advice (the page says what to do itself)."""
    explained = explain_refusal(cognito_error(error.code, error.message))
    return explained.headline if headline_only else str(explained)


@dataclass
class FormField:
    """One input of a form: its name, its label, its type and what the browser may fill in."""

    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    value: str = ""
    inputmode: str | None = None
    required: bool = True
    #: A line under the input (what the pool expects: a phone number's format, the password policy).
    hint: str | None = None


@dataclass
class Form:
    """A page with one form: heading, the app's name, a notice or an error, the fields and the button."""

    title: str
    app_name: str
    action: str
    csrf: str
    fields: list[FormField] = field(default_factory=list)
    button: str = "Continue"
    error: str | None = None
    notice: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    #: "Continue with <provider>" links (label, URL) shown under the form.
    providers: list[tuple[str, str]] = field(default_factory=list)
    #: A secret to show (an authenticator's set-up key), as text.
    shown_secret: str | None = None
    #: The set-up key as an otpauth:// URI, shown as a QR code for a phone's authenticator app to scan.
    otpauth_uri: str | None = None
    #: Buttons of forms of their own under the main one (label, action), each posting only the CSRF token
    #: (a "Send a new code" that must not need the main form's required fields).
    secondary: list[tuple[str, str]] = field(default_factory=list)
    #: Links under everything (label, URL): "Forgot your password?", "Sign up", "Back to sign in".
    links: list[tuple[str, str]] = field(default_factory=list)
    #: A code was "sent": the pool whose outbox holds it (nothing leaves a local pool; the page says where it is).
    outbox_pool: str | None = None


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"referrer\" content=\"no-referrer\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def form_page(form: Form) -> str:
    parts = [f"<h1>{escape(form.title)}</h1>", f"<p class=\"app\">{escape(form.app_name)}</p>"]
    if form.error:
        parts.append(f"<p class=\"error\" role=\"alert\" id=\"error\">{escape(form.error)}</p>")
    if form.notice:
        parts.append(f"<p class=\"notice\" id=\"notice\">{escape(form.notice)}</p>")
    if form.outbox_pool:
        where = f"/_local/outbox?{urlencode({'pool_id': form.outbox_pool})}"
        parts.append(f"<p class=\"hint\" id=\"outbox\">This local user pool sends nothing: the code is in its "
                     f"<a href=\"{escape(where)}\" id=\"link-outbox\" target=\"_blank\" rel=\"noopener\">outbox</a> "
                     "(the newest last).</p>")
    if form.otpauth_uri:
        parts.append(f"<p class=\"qr\" id=\"qr\" role=\"img\" aria-label=\"A QR code of the set-up key\">"
                     f"{_qr_svg(form.otpauth_uri)}</p>")
    if form.shown_secret:
        parts.append(f"<p>Set-up key: <code id=\"secret\">{escape(form.shown_secret)}</code></p>")
    parts.append(f"<form method=\"post\" action=\"{escape(form.action)}\" autocomplete=\"off\">")
    parts.append(f"<input type=\"hidden\" name=\"_csrf\" value=\"{escape(form.csrf)}\">")
    for item in form.fields:
        mode = f" inputmode=\"{escape(item.inputmode)}\"" if item.inputmode else ""
        required = " required" if item.required else ""
        parts.append(
            f"<label for=\"{escape(item.name)}\">{escape(item.label)}</label>"
            f"<input type=\"{escape(item.type)}\" id=\"{escape(item.name)}\" name=\"{escape(item.name)}\" "
            f"value=\"{escape(item.value)}\" autocomplete=\"{escape(item.autocomplete)}\"{mode}{required}>"
        )
        if item.hint:
            parts.append(f"<p class=\"hint\" id=\"{escape(item.name)}-hint\">{escape(item.hint)}</p>")
    if form.choices:
        parts.append("<label for=\"choice\">Method</label><select id=\"choice\" name=\"choice\">")
        for value, label in form.choices:
            parts.append(f"<option value=\"{escape(value)}\">{escape(label)}</option>")
        parts.append("</select>")
    parts.append(f"<button type=\"submit\" id=\"submit\">{escape(form.button)}</button></form>")
    for number, (label, action) in enumerate(form.secondary):
        parts.append(
            f"<form method=\"post\" action=\"{escape(action)}\">"
            f"<input type=\"hidden\" name=\"_csrf\" value=\"{escape(form.csrf)}\">"
            f"<button class=\"secondary\" type=\"submit\" id=\"secondary-{number}\">{escape(label)}</button></form>"
        )
    if form.providers:
        parts.append("<p class=\"or\">or</p>")
        for label, url in form.providers:
            parts.append(
                f"<form method=\"get\" action=\"{escape(url.split('?', 1)[0])}\">"
                + "".join(_hidden_query(url))
                + f"<button class=\"idp\" type=\"submit\">Continue with {escape(label)}</button></form>"
            )
    parts.append(links(form.links))
    return page(form.title, "".join(parts))


def _qr_svg(data: str) -> str:
    """``data`` as a QR code: an SVG element written into the page (the pages run no script and load nothing
    else; their Content-Security-Policy allows no image source)."""
    import segno

    return str(segno.make(data, error="m").svg_inline(scale=5, border=4, omitsize=False))


def links(targets: list[tuple[str, str]]) -> str:
    """A line of links (label, URL); nothing when there are none."""
    if not targets:
        return ""
    anchors = "".join(f"<a href=\"{escape(url)}\" id=\"link-{escape(_slug(label))}\">{escape(label)}</a>"
                      for label, url in targets)
    return f"<p class=\"links\">{anchors}</p>"


def _slug(label: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in label.lower()).split())


def _hidden_query(url: str) -> list[str]:
    query = url.split("?", 1)[1] if "?" in url else ""
    return [f"<input type=\"hidden\" name=\"{escape(k)}\" value=\"{escape(v)}\">"
            for k, v in parse_qsl(query, keep_blank_values=True)]


def error_page(title: str, message: str, back: list[tuple[str, str]] | None = None) -> str:
    """A dead end shown instead of a redirect (a callback URL the client does not list, an unknown client);
    ``back``: links out of it, when there is somewhere safe to go (the sign-in page of a valid request)."""
    return page(title, f"<h1>{escape(title)}</h1><p class=\"error\" role=\"alert\" id=\"error\">{escape(message)}</p>"
                + links(back or []))


def message_page(title: str, message: str) -> str:
    return page(title, f"<h1>{escape(title)}</h1><p class=\"notice\" id=\"notice\">{escape(message)}</p>")
