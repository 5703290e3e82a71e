"""The senior cancer mutual-aid plan: its configuration and its rules, in plain Python (no Rasa).

- `config`: the one plan configuration file, validated strictly (`load_plan()`, `read_plan(path)`).
- `eligibility`: age in full years on a date, the age window, allowed relationships.
- `screening`: health screening answers to a decision with its reasons.
- `cover`: the waiting period and the date cover starts.
- `contributions`: what cases cost a member, and the sharing calendar.
- `clock`: today's date in China, for the edges that need "today".
- `facts`: the plan's figures formatted for a language, for filling responses.

Every rule takes the plan as an optional `plan=` argument (default: `load_plan()`) and any date as a
parameter, so callers and tests decide what "today" and "the plan" are.
"""
from bot.core.plan.config import Outcome, PlanConfig, PlanConfigError, load_plan, read_plan

__all__ = ["Outcome", "PlanConfig", "PlanConfigError", "load_plan", "read_plan"]
