"""The frame every console page shares, the login page and the error pages.

Pages are built with MarkupSafe: `Markup("<p>{}</p>").format(value)` escapes every value that is not
Markup itself, so text from users, tickets and translations can only ever appear as text. Nothing here
marks a string from outside as Markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup

from bot.console import keys
from bot.console.i18n import HTML_LANG, LANGUAGE_AUTONYMS, LANGUAGES, N_, ConsoleLanguage, Gettext
from bot.store import StaffAccountView

CSRF_FIELD = "csrf_token"

# Messages shown after a redirect (`?notice=...`): only these keys, so the URL cannot put words on a page.
NOTICES = {
    "reply_sent": N_("Your reply was sent."),
    "released": N_("The conversation is back in the queue."),
    "handed_back": N_("The conversation is back with the assistant, which has told the user."),
    "handed_back_quietly": N_("The conversation is back with the assistant, but it could not be asked to "
                              "tell the user; it will answer their next message."),
    "closed": N_("The conversation is closed; the assistant answers the user's next message."),
    "logged_out": N_("You have logged out."),
    "staff_changed": N_("The account was changed; a disabled account's sessions have ended."),
}


@dataclass(frozen=True)
class Page:
    """What the frame of a page needs from the request."""

    gettext: Gettext
    language: ConsoleLanguage
    path: str  # this page, for the language switch to come back to
    staff: Optional[StaffAccountView]
    csrf_token: str

    @classmethod
    def of(cls, request: web.Request, csrf_token: Optional[str] = None) -> "Page":
        session = keys.staff_session(request)
        return cls(
            gettext=keys.gettext(request),
            language=keys.language(request),
            path=request.path_qs if request.method == "GET" else "/",
            staff=session.staff if session else None,
            csrf_token=csrf_token or (session.csrf_token if session else ""),
        )

    def csrf_field(self) -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, self.csrf_token)

    def post_button(self, action: str, label: str, css_class: str = "", confirm: str = "") -> Markup:
        """A one-button form that POSTs to `action` with the CSRF token."""
        return Markup('<form method="post" action="{action}" class="inline"{confirm}>{csrf}'
                      '<button type="submit"{css}>{label}</button></form>').format(
            action=action, confirm=Markup(' data-confirm="{}"').format(confirm) if confirm else "",
            csrf=self.csrf_field(), css=Markup(' class="{}"').format(css_class) if css_class else "", label=label)


def render(page: Page, title: str, body: Markup, *, status: int = 200, notice: str = "") -> web.Response:
    _ = page.gettext
    app_name = _("Support console")
    switch = Markup(" ").join(
        Markup('<a href="/language/{}?next={}" lang="{}"{}>{}</a>').format(
            code, quote(page.path, safe="/"), HTML_LANG[code],
            Markup(' aria-current="true"') if code == page.language else "", LANGUAGE_AUTONYMS[code])
        for code in LANGUAGES)
    account = ""
    if page.staff is not None:
        supervising = Markup('<a href="/all">{}</a> <a href="/staff">{}</a> <a href="/insight">{}</a> ').format(
            _("All conversations"), _("Staff"), _("Insight")) if page.staff.supervisor else ""
        account = Markup('{}<span class="staff">{}</span> {}').format(
            supervising, page.staff.display_name, page.post_button("/logout", _("Log out"), "link"))
    html = Markup("""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{csrf}">
<title>{title} · {app}</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<header>
<a class="brand" href="/">{app}</a><nav class="languages">{switch}</nav><div class="account">{account}</div>
</header>
<main>
{notice}{body}
</main>
</body>
</html>
""").format(lang=HTML_LANG[page.language], csrf=page.csrf_token, title=title, app=app_name, switch=switch,
            account=account, notice=Markup('<p class="notice" role="status">{}</p>').format(notice) if notice
            else "", body=body)
    return web.Response(text=str(html), status=status, content_type="text/html", charset="utf-8")


def notice_of(request: web.Request) -> str:
    """The translated notice named by `?notice=`, or ""."""
    key = request.query.get("notice", "")
    return keys.gettext(request)(NOTICES[key]) if key in NOTICES else ""


_ERRORS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest, 403: web.HTTPForbidden, 404: web.HTTPNotFound, 409: web.HTTPConflict,
    502: web.HTTPBadGateway,
}


def refusal(request: web.Request, status: int, message: str, *, draft: str = "") -> web.HTTPException:
    """An error page to raise: what went wrong and a way back; `draft` keeps a reply that was not sent."""
    page = Page.of(request)
    _ = page.gettext
    kept = ""
    if draft:
        kept = Markup('<p>{}</p><textarea readonly rows="6">{}</textarea>').format(
            _("Your reply, so you can copy it:"), draft)
    body = Markup('<h1>{}</h1><p class="error" role="alert">{}</p>{}<p><a href="/">{}</a></p>').format(
        _("That did not work"), message, kept, _("Back to the queue"))
    shown = render(page, _("That did not work"), body)
    return _ERRORS[status](text=shown.text, content_type="text/html")


def login_page(request: web.Request, csrf_token: str, *, next_path: str, username: str = "",
               error: str = "", status: int = 200) -> web.Response:
    page = Page.of(request, csrf_token=csrf_token)
    _ = page.gettext
    body = Markup("""<h1>{heading}</h1>
{error}<form method="post" action="/login" class="login">{csrf}
<input type="hidden" name="next" value="{next}">
<label>{username_label}
<input name="username" value="{username}" autocomplete="username" required autofocus></label>
<label>{password_label}
<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{submit}</button>
</form>""").format(
        heading=_("Log in to the support console"),
        error=Markup('<p class="error" role="alert">{}</p>').format(error) if error else "",
        csrf=page.csrf_field(), next=next_path, username_label=_("Username"), username=username,
        password_label=_("Password"), submit=_("Log in"))
    return render(page, _("Log in"), body, status=status, notice=notice_of(request))


def join(parts: Iterable[Markup]) -> Markup:
    return Markup("").join(parts)


def local_path(value: Optional[str], default: str = "/") -> str:
    """`value` when it is a path on this site, else `default`: redirects never lead elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 32 for ch in value):
        return default
    return value


def see_other(location: str) -> web.Response:
    """303: after a form, the browser GETs `location` (a local path)."""
    return web.Response(status=303, headers={"Location": location})
