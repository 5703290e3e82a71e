"""The conversation's slots that are not enrollment answers (those are named in bot.core.enrollment): one
vocabulary for the actions and the Rasa plugins. tests/architecture/test_slots.py checks that each is a
slot of the domain and that the actions name slots only through these names."""

LANGUAGE = "language"
CHINESE_SCRIPT = "chinese_script"
REQUESTED_SLOT = "requested_slot"  # the form's pending question (Rasa's own slot)
SESSION_STARTED_METADATA = "session_started_metadata"  # Rasa's own slot

HANDOFF_REASON = "handoff_reason"  # why a person was last offered (bot.core.handoff.HandoffReason)
PENDING_OFFER = "pending_offer"  # what a "yes" now accepts, e.g. "other_parent"
OFFERED_RELATIONSHIP = "offered_relationship"  # the other parent offered after an enrollment
ENROLLMENT_NUMBER = "enrollment_number"  # the finished enrollment's number
MASKED_PHONE = "masked_phone"  # the phone as the read-back shows it
BIRTH_DATE_MISMATCHES = "birth_date_mismatches"  # stated birth dates that disagreed with the ID

WITHDRAWAL_ID_NUMBER = "withdrawal_id_number"
WITHDRAWAL_CONFIRMED = "withdrawal_confirmed"
WITHDRAWAL_NUMBER = "withdrawal_number"
