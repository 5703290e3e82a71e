"""Ready-made replies for staff, in the family's language: tap one, it goes into the reply box to edit.

The texts are catalog entries (English msgids, Chinese in the zh catalog), looked up in the ticket's
language, not the staff member's: an agent reading the console in Chinese answers an English-speaking
family in English. console.js puts the chosen text into the reply box; nothing is sent until Send.
"""
from __future__ import annotations

from markupsafe import Markup

from bot.console.i18n import N_, Gettext
from bot.console.pages import Page, join

CANNED_REPLIES = (
    N_("Hello, I'm from the support team. I've read your conversation with the assistant and I'm here to help."),
    N_("Please give me a moment while I check this for you."),
    N_("Could you leave a phone number and a good time to call? We'll call you back."),
    N_("The health answers need a check by a person. We'll tell you the result here."),
    N_("Is there anything else I can help with?"),
    N_("I'll hand you back to the assistant now, so you can carry on with the enrollment."),
)


def canned_replies(page: Page, family_gettext: Gettext) -> Markup:
    """The quick-reply buttons, their texts in the family's language."""
    _ = page.gettext
    buttons = join(Markup('<li><button type="button" class="secondary" data-canned="{text}">{text}</button></li>')
                   .format(text=family_gettext(text)) for text in CANNED_REPLIES)
    return Markup('<div class="canned"><p id="canned-label">{}</p><ul aria-labelledby="canned-label">{}</ul>'
                  '</div>').format(_("Quick replies, in the family's language (you can edit them):"), buttons)
