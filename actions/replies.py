"""Sending domain responses from actions, with values formatted for the user's language by Babel."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Dict, Text

from rasa_sdk.executor import CollectingDispatcher

from bot.core import i18n


def formatted(values: Dict[Text, Any], language: str) -> Dict[Text, Any]:
    """Dates, money and numbers as the user's locale writes them; text as it is."""
    out: Dict[Text, Any] = {}
    for key, value in values.items():
        if isinstance(value, date):
            out[key] = i18n.format_date(value, language)
        elif isinstance(value, Decimal):
            out[key] = i18n.format_money(value, language)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = i18n.format_number(int(value) if float(value).is_integer() else value, language)
        else:
            out[key] = value
    return out


def say(dispatcher: CollectingDispatcher, response: Text, language: str, **values: Any) -> None:
    dispatcher.utter_message(response=response, **formatted(values, language))


def send(dispatcher: CollectingDispatcher, checked: Any, language: str = "zh") -> None:
    """Send the responses a check produced (see actions.enrollment_answers.Checked)."""
    for response, values in checked.responses:
        say(dispatcher, response, language, **values)
