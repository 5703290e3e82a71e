"""A new session: the language the channel asks for, and an unfinished enrollment offered again."""
from rasa.shared.core.domain import Domain
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.enrollment import ActionAcceptOffer, ActionDeclineOffer
from actions.session import ActionSessionStart
from tests.enrollment.helpers import answers, tracker

DOMAIN = Domain.load("domain").as_dict()


async def start(slots, metadata=None):
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(
        dispatcher, tracker({**slots, "session_started_metadata": metadata}), DOMAIN)
    return events, [m["response"] for m in dispatcher.messages]


async def test_the_channel_language_seeds_the_session():
    events, _ = await start({}, {"language": "en-US"})
    assert SlotSet("language", "en") in events


async def test_an_unfinished_enrollment_is_offered_again_with_its_answers_kept():
    unfinished = {k: v for k, v in answers().items() if k in ("relationship", "member_name", "id_number")}
    events, responses = await start(unfinished)
    assert responses == ["utter_offer_resume"]
    assert SlotSet("pending_offer", "resume") in events
    assert SlotSet("member_name", "王秀英") in events


async def test_nothing_is_offered_without_an_unfinished_enrollment():
    events, responses = await start({})
    assert responses == [] and SlotSet("pending_offer", "resume") not in events


async def test_carrying_on_keeps_the_answers_and_starting_over_forgets_them():
    unfinished = {"relationship": "mother", "member_name": "王秀英", "pending_offer": "resume"}
    kept = await ActionAcceptOffer().run(CollectingDispatcher(), tracker(unfinished), DOMAIN)
    assert SlotSet("member_name", None) not in kept and SlotSet("pending_offer", None) in kept
    dispatcher = CollectingDispatcher()
    forgotten = await ActionDeclineOffer().run(dispatcher, tracker(unfinished), DOMAIN)
    assert SlotSet("member_name", None) in forgotten
    assert [m["response"] for m in dispatcher.messages] == ["utter_resume_declined"]


async def test_yes_to_the_other_parent_starts_a_fresh_enrollment_for_them():
    offered = {**answers(), "pending_offer": "other_parent", "offered_relationship": "father"}
    events = await ActionAcceptOffer().run(CollectingDispatcher(), tracker(offered), DOMAIN)
    assert SlotSet("member_name", None) in events and events[-1] == SlotSet("relationship", "father")
