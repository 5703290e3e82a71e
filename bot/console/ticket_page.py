"""The page of one conversation: the ticket, what the assistant noted, the whole transcript, and what the
staff member can do with it (take it; or, holding it: reply, hand back, close, put back in the queue)."""
from __future__ import annotations

from typing import Any, Optional

from markupsafe import Markup

from bot.console.i18n import ConsoleLanguage, Gettext
from bot.console.labels import (
    CHANNELS,
    CHANNELS_WITHOUT_PUSH,
    REASONS,
    SPEAKERS,
    SUMMARY_FIELDS,
    TICKET_LANGUAGES,
    TICKET_STATUSES,
    clock_time,
    date_time,
    label,
    summary_value,
)
from bot.console.pages import Page, join
from bot.console.transcript import Conversation, TranscriptLine
from bot.core.personal_data import mask_personal_numbers
from bot.store import HandoffTicketView, StaffAccountView

MAX_REPLY_CHARS = 2000
DECIDABLE_REASONS = ("manual_review", "contest_declined")  # a person decides these (bot/console/decisions.py)


def transcript_entry(line: TranscriptLine, _: Gettext, language: ConsoleLanguage,
                     staff_names: dict[int, str]) -> dict[str, Any]:
    """One transcript line as the page and /tickets/{id}/transcript.json show it."""
    speaker = label(SPEAKERS, line.speaker, _)
    if line.speaker == "staff" and line.staff_id in staff_names:
        speaker = f"{speaker} · {staff_names[line.staff_id]}"
    text = line.text
    if not text and line.speaker in ("user", "assistant", "staff"):
        text = _("(a message without text)")
    return {"speaker": line.speaker, "speaker_label": speaker, "time": clock_time(line.at, language),
            "text": text, "buttons": list(line.buttons)}


def ticket_page_body(page: Page, ticket: HandoffTicketView, *, holder: Optional[StaffAccountView],
                     conversation: Optional[Conversation], transcript: list[dict[str, Any]],
                     poll_ms: int, canned: Optional[Markup] = None) -> Markup:
    _ = page.gettext
    mine = holder is not None and page.staff is not None and holder.id == page.staff.id
    return Markup("""<p><a href="/">{back}</a></p>
<h1>{heading}</h1>
{details}
{summary}
{call_back}
<section class="conversation"><h2>{transcript_heading}</h2>
{transcript}
</section>
{actions}""").format(
        back=_("← Back to the queue"),
        heading=_("Conversation #{number}").format(number=ticket.id),
        details=_details(page, ticket, holder),
        summary=_summary(page, ticket),
        call_back=_call_back(page, ticket),
        transcript_heading=_("Transcript"),
        transcript=_transcript(page, ticket, conversation, transcript, poll_ms if mine else 0),
        actions=_actions(page, ticket, holder, mine, canned or Markup("")),
    )


def _call_back(page: Page, ticket: HandoffTicketView) -> Markup:
    """For supervisors, on a ticket of a channel that cannot receive replies: the audited look at the full
    number to call back (bot/console/call_back.py)."""
    if page.staff is None or not page.staff.supervisor or ticket.channel not in CHANNELS_WITHOUT_PUSH:
        return Markup("")
    _ = page.gettext
    return Markup('<section class="call-back">{}<p class="hint">{}</p></section>').format(
        page.post_button(f"/tickets/{ticket.id}/call-back-number", _("Show the full number to call back")),
        _("Your name and the time are recorded."))


def _details(page: Page, ticket: HandoffTicketView, holder: Optional[StaffAccountView]) -> Markup:
    _ = page.gettext
    rows = [
        (_("Status"), label(TICKET_STATUSES, ticket.status, _)),
        (_("Language"), label(TICKET_LANGUAGES, ticket.language, _)),
        (_("Reason"), label(REASONS, ticket.reason, _)),
        (_("Channel"), label(CHANNELS, ticket.channel, _)),
        (_("Asked for a person at"), date_time(ticket.created_at, page.language)),
    ]
    if holder is not None and ticket.status == "claimed":
        rows.append((_("Handled by"), holder.display_name))
    if ticket.reason in DECIDABLE_REASONS:
        rows.append((_("Decision"), Markup('<a href="/tickets/{}/decision">{}</a>').format(
            ticket.id, _("See the case and decide"))))
    return _definition_list("ticket", rows)


def _summary(page: Page, ticket: HandoffTicketView) -> Markup:
    _ = page.gettext
    if not ticket.summary:
        return Markup("")
    # The store refuses plain numbers in a summary; masking again here keeps the page safe whatever it holds.
    rows = [(label(SUMMARY_FIELDS, key, _), mask_personal_numbers(summary_value(value)))
            for key, value in ticket.summary.items()]
    return Markup('<section class="summary"><h2>{}</h2>{}</section>').format(
        _("What the assistant noted"), _definition_list("summary", rows))


def _definition_list(css_class: str, rows: list[tuple[str, str]]) -> Markup:
    return Markup('<dl class="{}">{}</dl>').format(
        css_class, join(Markup("<dt>{}</dt><dd>{}</dd>").format(term, value) for term, value in rows))


def _transcript(page: Page, ticket: HandoffTicketView, conversation: Optional[Conversation],
                transcript: list[dict[str, Any]], poll_ms: int) -> Markup:
    _ = page.gettext
    if conversation is None:
        return Markup('<p class="error" role="alert">{}</p>').format(
            _("The transcript cannot be shown: the assistant's server did not answer. Try again shortly."))
    warning = ""
    if (conversation.latest_input_channel or ticket.channel) in CHANNELS_WITHOUT_PUSH:
        warning = Markup('<p class="warning">{}</p>').format(
            _("This user writes through the REST API, which cannot receive replies sent from here."))
    source = ""
    if poll_ms:
        source = Markup(' data-source="/tickets/{}/transcript.json" data-interval="{}"').format(ticket.id, poll_ms)
    return Markup('{}<ol class="transcript" id="transcript"{}>{}</ol>').format(
        warning, source, join(_transcript_line(entry) for entry in transcript))


def _transcript_line(entry: dict[str, Any]) -> Markup:
    # console.js builds the same item from transcript.json: keep the two alike.
    buttons = ""
    if entry["buttons"]:
        buttons = Markup('<ul class="buttons">{}</ul>').format(
            join(Markup("<li>{}</li>").format(title) for title in entry["buttons"]))
    return Markup('<li class="line {speaker}"><span class="who">{label}</span> <time>{time}</time>'
                  '<p class="text">{text}</p>{buttons}</li>').format(
        speaker=entry["speaker"], label=entry["speaker_label"], time=entry["time"], text=entry["text"],
        buttons=buttons)


def _actions(page: Page, ticket: HandoffTicketView, holder: Optional[StaffAccountView], mine: bool,
             canned: Markup) -> Markup:
    _ = page.gettext
    base = f"/tickets/{ticket.id}"
    if ticket.status == "waiting":
        return Markup('<section class="actions">{}</section>').format(
            page.post_button(f"{base}/claim", _("Take it")))
    if ticket.status == "closed":
        return Markup('<p class="hint">{}</p>').format(_("This conversation is closed."))
    if not mine:
        return Markup('<p class="hint">{}</p>').format(
            _("{name} is handling this conversation.").format(name=holder.display_name if holder else "?"))
    return Markup("""<section class="actions" id="reply">
<form method="post" action="{base}/reply" class="reply">{csrf}
{canned}
<label for="reply-text">{reply_label}</label>
<textarea id="reply-text" name="text" rows="4" maxlength="{max}" required></textarea>
<button type="submit">{send}</button>
</form>
<div class="finish">{hand_back} {close} {release}</div>
<p class="hint">{finish_hint}</p>
</section>""").format(
        base=base, csrf=page.csrf_field(), canned=canned, reply_label=_("Your reply to the user"), max=MAX_REPLY_CHARS,
        send=_("Send"),
        hand_back=page.post_button(f"{base}/hand-back", _("Hand back to the assistant"),
                                   confirm=_("Hand this conversation back to the assistant?")),
        close=page.post_button(f"{base}/close", _("Close"), "secondary",
                               confirm=_("Close this conversation?")),
        release=page.post_button(f"{base}/release", _("Put back in the queue"), "secondary"),
        finish_hint=_("Hand back: the assistant tells the user it is back and carries on. Close: the matter "
                      "is settled; the assistant answers the user's next message. Put back: another person "
                      "takes it."),
    )
