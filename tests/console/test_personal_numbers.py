"""Staff see that a number was given, never the number: the transcript (page and JSON) and the summary
mask ID numbers (first 6 and last 4) and phones (first 3 and last 4), however the family typed them."""
from __future__ import annotations

import json

from sqlalchemy import update
from test_tickets import claimed, events

from bot.store.models import HandoffTicket

from console_support import open_ticket

ID_NUMBER = "110105196103150029"
TYPED = [
    ("她的身份证是 110105 19610315 0029，手机+86 139-1234-5678", "110105********0029", "139****5678"),
    ("ID 11010519491231002x, phone 139 1234 5678", "110105********002X", "139****5678"),
]
PLAIN = ("110105196103150029", "11010519491231002", "13912345678", "139-1234-5678", "139 1234 5678",
         "19610315", "1234-5678")


async def test_the_transcript_page_and_its_json_mask_ids_and_phones(console):
    ticket, alice = await claimed(console)
    console.rasa.events["web:1"] += events(
        *(("user", typed) for typed, _, _ in TYPED),
        ("bot", f"请核对：身份证号 {ID_NUMBER}，手机 13912345678"))

    page = await (await alice.get(f"/tickets/{ticket.id}")).text()
    data = await (await alice.get(f"/tickets/{ticket.id}/transcript.json")).json()
    shown = page + json.dumps(data, ensure_ascii=False)

    for _, masked_id, masked_phone in TYPED:
        assert masked_id in page and masked_phone in page
        assert masked_id in shown
    for plain in PLAIN:
        assert plain not in shown
    assert "110105********0029" in [line["text"] for line in data["lines"]][-1]


async def test_the_summary_is_shown_masked_even_if_a_number_got_into_it(console):
    ticket = open_ticket(console.engine, "web:2", summary={"relationship": "mother",
                                                          "enrollment_number": "SC261128-7KQ3M"})
    # A summary written before the store refused plain numbers (or past it): the page still masks.
    with console.engine.begin() as connection:
        connection.execute(update(HandoffTicket).where(HandoffTicket.id == ticket.id).values(summary={
            "relationship": "mother", "enrollment_number": "SC261128-7KQ3M",
            "note": f"ID {ID_NUMBER}, phone 139-1234-5678"}))
    alice = await console.logged_in("alice")

    page = await (await alice.get(f"/tickets/{ticket.id}")).text()

    assert "110105********0029" in page and "139****5678" in page
    assert "SC261128-7KQ3M" in page  # short numbers (enrollment numbers, ages) stay as they are
    for plain in PLAIN:
        assert plain not in page
