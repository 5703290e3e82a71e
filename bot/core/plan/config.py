"""The plan configuration: one YAML file holding every number and rule of the senior cancer plan.

`load_plan()` reads the file named by the PLAN_CONFIG setting once per path and returns a frozen
`PlanConfig`; `read_plan(path)` reads any file, uncached (tests read modified copies). Validation is
strict: a missing key, an unknown or duplicated key, a wrong type or an out-of-range value raises
`PlanConfigError` naming the key, e.g. ``age.max: must be an integer >= age.min (60)``. Money is Decimal,
written in the file as whole numbers or quoted decimals, never as YAML floats.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Hashable, Iterator

import yaml
from babel.numbers import is_currency

from bot.core import settings

RELATIONSHIPS = ("self", "father", "mother", "father_in_law", "mother_in_law")
"""Every relationship of member to enroller the assistant can talk about; the plan allows some of them."""


class Outcome(str, Enum):
    """A screening outcome. A "yes" to a question leads to one of the last three."""

    ELIGIBLE = "eligible"
    DECLINED = "declined"
    DEFERRED = "deferred"
    MANUAL_REVIEW = "manual_review"


@dataclass(frozen=True)
class AgeWindow:
    """Eligible ages in full years (周岁), both ends included."""

    min: int
    max: int

    def __contains__(self, age: int) -> bool:
        return self.min <= age <= self.max


@dataclass(frozen=True)
class ScreeningQuestion:
    id: str
    yes_means: Outcome


@dataclass(frozen=True)
class Screening:
    questions: tuple[ScreeningQuestion, ...]
    not_disqualifying: tuple[str, ...]
    """Condition ids that on their own do not disqualify (high blood pressure, diabetes, ...)."""

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.questions)


@dataclass(frozen=True)
class Payouts:
    """The most one case can be paid ("up to", never promised)."""

    severe: Decimal
    mild: Decimal


@dataclass(frozen=True)
class Cover:
    waiting_period_days: int
    payouts: Payouts
    mild_conditions: tuple[str, ...]
    not_covered: tuple[str, ...]


@dataclass(frozen=True)
class SharingSchedule:
    """Days of the month (1-28, ascending) on which cases are published and contributions deducted."""

    publish_days: tuple[int, ...]
    deduction_days: tuple[int, ...]


@dataclass(frozen=True)
class Costs:
    joining_fee: Decimal
    cap_per_case: Decimal
    management_fee_percent: Decimal
    yearly_cap: Decimal | None
    """None: there is no yearly maximum, so never promise one."""
    general_plan_yearly_cap: Decimal
    """The general plan's cap, quoted only for comparison."""
    sharing: SharingSchedule

    @property
    def management_fee_rate(self) -> Decimal:
        """The management fee as a fraction of payouts (8% → 0.08)."""
        return self.management_fee_percent / 100


@dataclass(frozen=True)
class ConsentVersions:
    """The version of each text a user consents to; a consent record stores the version it was given for."""

    privacy_notice: str
    health_information: str
    member_agreement: str
    truthful_declaration: str
    deduction_authorization: str


@dataclass(frozen=True)
class Handoff:
    """How many failed tries before a person takes over, and how soon a person should answer."""

    birth_date_mismatches: int
    consecutive_misunderstandings: int
    response_target_minutes: int


@dataclass(frozen=True)
class PlanConfig:
    id: str
    currency: str
    age: AgeWindow
    relationships: tuple[str, ...]
    screening: Screening
    cover: Cover
    costs: Costs
    consents: ConsentVersions
    handoff: Handoff
    after: "AfterConversation | None" = None  # staff decisions and notices (section `after_conversation`)


@dataclass(frozen=True)
class DecisionReason:
    """A reason staff can give for a decision: a label for staff and plain words for the family, each in
    Chinese and English."""

    id: str
    decision: str  # approve | decline
    staff: dict[str, str]  # language → label shown in the console
    family: dict[str, str]  # language → the reason in plain words, as the notice says it


@dataclass(frozen=True)
class AfterConversation:
    """What happens after the conversation: the reasons staff decide with, and when notices go out."""

    decision_reasons: tuple[DecisionReason, ...]
    quiet_hours_start: int  # hour in China time from which no notice is sent ...
    quiet_hours_end: int  # ... until this hour (a notice due meanwhile waits until then)
    deduction_notice_days_before: int
    deferred_reminder_days: int  # a deferred member is reminded to come back this many days later

    def reasons_for(self, decision: str) -> tuple[DecisionReason, ...]:
        return tuple(r for r in self.decision_reasons if r.decision == decision)

    def reason(self, reason_id: str) -> DecisionReason | None:
        return next((r for r in self.decision_reasons if r.id == reason_id), None)


class PlanConfigError(ValueError):
    """The plan configuration is unreadable or breaks a rule; `key` is the dotted path of the bad key."""

    def __init__(self, key: str, problem: str, source: str | Path | None = None):
        self.key = key
        self.problem = problem
        self.source = source
        message = f"{key}: {problem}" if key else problem
        super().__init__(f"{message} (in {source})" if source else message)


def load_plan() -> PlanConfig:
    """The plan named by the PLAN_CONFIG setting, read and validated once per path."""
    return _read_cached(Path(settings.get("PLAN_CONFIG")).resolve())


def read_plan(path: str | Path) -> PlanConfig:
    """Read and validate a plan configuration file, uncached."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
        return _parse(data)
    except OSError as error:
        raise PlanConfigError("", f"cannot read the plan configuration: {error.strerror}", path) from None
    except yaml.YAMLError as error:
        raise PlanConfigError("", f"not valid YAML: {error}", path) from None
    except PlanConfigError as error:
        raise PlanConfigError(error.key, error.problem, path) from None


@cache
def _read_cached(path: Path) -> PlanConfig:
    return read_plan(path)


def _parse(data: Any) -> PlanConfig:
    """The plan from the file's data; each section is checked for unknown keys as it is left."""
    with _Section.root(data) as root:
        with root.section("plan") as plan:
            plan_id = plan.identifier("id")
            currency = plan.currency("currency")
        with root.section("relationships") as relationships:
            allowed = relationships.identifiers("allowed", choices=RELATIONSHIPS, non_empty=True)
        return PlanConfig(
            id=plan_id,
            currency=currency,
            age=_age(root.section("age")),
            relationships=allowed,
            screening=_screening(root.section("screening")),
            cover=_cover(root.section("cover")),
            costs=_costs(root.section("costs")),
            consents=_consents(root.section("consents")),
            handoff=_handoff(root.section("handoff")),
            after=_after_conversation(root.section("after_conversation")),
        )


def _after_conversation(section: _Section) -> AfterConversation:
    with section:
        reasons = []
        for item in section.items("decision_reasons"):
            with item:
                reason_id = item.identifier("id")
                decision = item.identifier("decision")
                if decision not in ("approve", "decline"):
                    raise PlanConfigError(item.path("decision"), "must be approve or decline")
                texts = {}
                for key in ("staff", "family"):
                    with item.section(key) as languages:
                        texts[key] = {language: languages.text(language) for language in ("zh", "en")}
                reasons.append(DecisionReason(reason_id, decision, texts["staff"], texts["family"]))
        with section.section("quiet_hours") as quiet:
            start, end = quiet.integer("start_hour", minimum=0), quiet.integer("end_hour", minimum=0)
            if start > 23 or end > 23:
                raise PlanConfigError(quiet.path("start_hour"), "hours are 0-23")
        ids = [r.id for r in reasons]
        for index, reason_id in enumerate(ids):
            if reason_id in ids[:index]:
                raise PlanConfigError(f"{section.path('decision_reasons')}[{index}]", f"{reason_id!r} is listed twice")
        for decision in ("approve", "decline"):
            if not any(r.decision == decision for r in reasons):
                raise PlanConfigError(section.path("decision_reasons"), f"needs at least one {decision} reason")
        return AfterConversation(
            decision_reasons=tuple(reasons), quiet_hours_start=start, quiet_hours_end=end,
            deduction_notice_days_before=section.integer("deduction_notice_days_before", minimum=1),
            deferred_reminder_days=section.integer("deferred_reminder_days", minimum=1))


def _age(section: _Section) -> AgeWindow:
    with section:
        ages = AgeWindow(min=section.integer("min", minimum=0), max=section.integer("max"))
        if ages.max < ages.min:
            raise PlanConfigError(section.path("max"), f"must be an integer >= age.min ({ages.min})")
        return ages


def _screening(section: _Section) -> Screening:
    with section:
        questions = tuple(_question(item) for item in section.items("questions"))
        _require_unique_ids(questions, section.path("questions"))
        return Screening(questions=questions, not_disqualifying=section.identifiers("not_disqualifying"))


_YES_OUTCOMES = (Outcome.DECLINED, Outcome.DEFERRED, Outcome.MANUAL_REVIEW)


def _question(item: _Section) -> ScreeningQuestion:
    with item:
        question_id = item.identifier("id")
        yes_means = item.text("yes_means")
        choices = [outcome.value for outcome in _YES_OUTCOMES]
        if yes_means not in choices:
            raise PlanConfigError(item.path("yes_means"), f"must be one of {', '.join(choices)}")
        return ScreeningQuestion(id=question_id, yes_means=Outcome(yes_means))


def _cover(section: _Section) -> Cover:
    with section:
        with section.section("payouts") as payouts_section:
            payouts = Payouts(severe=payouts_section.money("severe", positive=True),
                              mild=payouts_section.money("mild", positive=True))
            if payouts.mild > payouts.severe:
                raise PlanConfigError(payouts_section.path("mild"),
                                      f"must not exceed cover.payouts.severe ({payouts.severe})")
        cover = Cover(waiting_period_days=section.integer("waiting_period_days", minimum=0),
                      payouts=payouts,
                      mild_conditions=section.identifiers("mild_conditions"),
                      not_covered=section.identifiers("not_covered"))
        for condition in cover.mild_conditions:
            if condition in cover.not_covered:
                raise PlanConfigError(section.path("not_covered"),
                                      f"{condition!r} is also listed in cover.mild_conditions")
        return cover


def _costs(section: _Section) -> Costs:
    with section:
        fee_percent = section.money("management_fee_percent")
        if fee_percent >= 100:
            raise PlanConfigError(section.path("management_fee_percent"), "must be below 100")
        with section.section("sharing") as sharing:
            schedule = SharingSchedule(publish_days=sharing.days_of_month("publish_days"),
                                       deduction_days=sharing.days_of_month("deduction_days"))
        return Costs(joining_fee=section.money("joining_fee"),
                     cap_per_case=section.money("cap_per_case", positive=True),
                     management_fee_percent=fee_percent,
                     yearly_cap=section.optional_money("yearly_cap", positive=True),
                     general_plan_yearly_cap=section.money("general_plan_yearly_cap", positive=True),
                     sharing=schedule)


def _consents(section: _Section) -> ConsentVersions:
    with section:
        return ConsentVersions(**{kind.name: section.version(kind.name) for kind in fields(ConsentVersions)})


def _handoff(section: _Section) -> Handoff:
    with section:
        return Handoff(**{field.name: section.integer(field.name, minimum=1) for field in fields(Handoff)})


def _require_unique_ids(questions: tuple[ScreeningQuestion, ...], path: str) -> None:
    seen: set[str] = set()
    for index, question in enumerate(questions):
        if question.id in seen:
            raise PlanConfigError(f"{path}[{index}].id", f"duplicate question id {question.id!r}")
        seen.add(question.id)


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class _Section:
    """One mapping of the file, read key by key. Used as a context manager: on leaving it, any key that
    was never read is reported as unknown, so a misspelt key cannot be silently ignored."""

    def __init__(self, data: Any, key_path: str):
        if not isinstance(data, dict):
            raise PlanConfigError(key_path, "must be a mapping of keys to values")
        self._data = data
        self._key_path = key_path
        self._read: set[str] = set()

    @classmethod
    def root(cls, data: Any) -> _Section:
        if data is None:
            raise PlanConfigError("", "the file is empty")
        return cls(data, "")

    def __enter__(self) -> _Section:
        return self

    def __exit__(self, error_type: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if error_type is not None:
            return
        unknown = [str(key) for key in self._data if key not in self._read]
        if unknown:
            expected = ", ".join(sorted(self._read))
            raise PlanConfigError(self.path(unknown[0]), f"unknown key (expected: {expected})")

    def path(self, key: str) -> str:
        return f"{self._key_path}.{key}" if self._key_path else key

    def _value(self, key: str, *, optional: bool = False) -> Any:
        self._read.add(key)
        if key not in self._data:
            raise PlanConfigError(self.path(key), "is missing")
        value = self._data[key]
        if value is None and not optional:
            raise PlanConfigError(self.path(key), "is empty")
        return value

    def section(self, key: str) -> _Section:
        return _Section(self._value(key), self.path(key))

    def items(self, key: str) -> Iterator[_Section]:
        """The mappings of a non-empty list, each as a section named key[index]."""
        values = self._list(key, non_empty=True)
        return (_Section(value, f"{self.path(key)}[{index}]") for index, value in enumerate(values))

    def _list(self, key: str, *, non_empty: bool = False) -> list:
        values = self._value(key)
        if not isinstance(values, list):
            raise PlanConfigError(self.path(key), "must be a list")
        if non_empty and not values:
            raise PlanConfigError(self.path(key), "must not be empty")
        return values

    def text(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str) or not value.strip():
            raise PlanConfigError(self.path(key), "must be a non-empty string")
        return value

    def identifier(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
            raise PlanConfigError(self.path(key), "must be an id: a letter, then letters, digits or _")
        return value

    def identifiers(self, key: str, *, choices: tuple[str, ...] | None = None,
                    non_empty: bool = False) -> tuple[str, ...]:
        """A list of distinct ids, optionally each one of `choices`."""
        values = self._list(key, non_empty=non_empty)
        for index, value in enumerate(values):
            where = f"{self.path(key)}[{index}]"
            if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
                raise PlanConfigError(where, "must be an id: a letter, then letters, digits or _")
            if choices is not None and value not in choices:
                raise PlanConfigError(where, f"unknown value {value!r} (known: {', '.join(choices)})")
            if value in values[:index]:
                raise PlanConfigError(where, f"{value!r} is listed twice")
        return tuple(values)

    def integer(self, key: str, *, minimum: int | None = None) -> int:
        value = self._value(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise PlanConfigError(self.path(key), "must be an integer")
        if minimum is not None and value < minimum:
            raise PlanConfigError(self.path(key), f"must be an integer >= {minimum}")
        return value

    def days_of_month(self, key: str) -> tuple[int, ...]:
        """A non-empty list of distinct days 1-28 (days every month has), in ascending order."""
        values = self._list(key, non_empty=True)
        for index, value in enumerate(values):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 28:
                raise PlanConfigError(f"{self.path(key)}[{index}]",
                                      "must be a day of the month from 1 to 28 (every month has it)")
            if value in values[:index]:
                raise PlanConfigError(f"{self.path(key)}[{index}]", f"day {value} is listed twice")
        return tuple(sorted(values))

    def money(self, key: str, *, positive: bool = False) -> Decimal:
        """An amount >= 0 (> 0 if `positive`) from an integer or a quoted decimal."""
        return self._money(self._value(key), key, positive)

    def optional_money(self, key: str, *, positive: bool = False) -> Decimal | None:
        """Like `money`, but null (written `null` or left empty) means "none"."""
        value = self._value(key, optional=True)
        return None if value is None else self._money(value, key, positive)

    def _money(self, value: Any, key: str, positive: bool) -> Decimal:
        amount = None
        if isinstance(value, int) and not isinstance(value, bool):
            amount = Decimal(value)
        elif isinstance(value, str):
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                pass
        if amount is None or not amount.is_finite():
            raise PlanConfigError(self.path(key), "must be a whole number or a quoted decimal such as '0.50' "
                                                  "(not a YAML float)")
        if amount < 0 or (positive and amount == 0):
            problem = "must be greater than 0" if positive else "must not be negative"
            raise PlanConfigError(self.path(key), problem)
        return amount

    def currency(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value) or not is_currency(value):
            raise PlanConfigError(self.path(key), "must be an ISO 4217 currency code such as CNY")
        return value

    def version(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str) or not _VERSION.fullmatch(value):
            raise PlanConfigError(self.path(key),
                                  "must be a version such as 'privacy-2026-11': letters, digits, '.', '_' "
                                  "or '-', at most 64 characters")
        return value


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key written twice instead of silently keeping the last value."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            continue  # construct_mapping reports it
        if key in seen:
            raise PlanConfigError(str(key), f"is written twice (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
