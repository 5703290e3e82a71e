"""The Rasa server's models loaded for answering (bot.rasa.serving_models) read every message as Rasa's own load
does, without building the training step that doubled the server's memory."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.tensorflow.models import RasaModel

from bot.rasa import serving_models
from tests.conftest import MODEL, ROOT


def held_out_texts() -> List[str]:
    texts = set()
    for path in (ROOT / "tests" / "nlu_holdout").glob("*.yml"):
        texts.update(example.get("text") for example in load_data(str(path)).training_examples)
    return sorted(texts)


def reading(parse: Dict[str, Any]) -> Dict[str, Any]:
    """What the assistant acts on: every intent's confidence, the entities, the plan topic picked."""
    return {
        "ranking": [(intent["name"], intent["confidence"]) for intent in parse["intent_ranking"]],
        "entities": [(e["entity"], e["value"], e["start"], e["end"]) for e in parse["entities"]],
        "topics": {key: (value["response"]["intent_response_key"], value["response"]["confidence"])
                   for key, value in parse.get("response_selector", {}).items()
                   if key != "all_retrieval_intents"},
    }


def readings(agent: Agent, texts: List[str]) -> List[Dict[str, Any]]:
    async def parse_all() -> List[Dict[str, Any]]:
        return [reading(await agent.parse_message(text)) for text in texts]

    return asyncio.run(parse_all())


def tensorflow_models(agent: Agent) -> List[RasaModel]:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()  # type: ignore[union-attr]
    components = [node._component for node in nodes]
    return [component.model for component in components
            if isinstance(getattr(component, "model", None), RasaModel)]


@pytest.fixture(scope="module")
def agents():
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test trains it first).")
    rasa_agent = Agent.load(str(MODEL))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(serving_models, "RASA_LOAD", RasaModel.load.__func__)
        patch.setattr(RasaModel, "load", classmethod(serving_models.load_for_serving))
        serving_agent = Agent.load(str(MODEL))
    return rasa_agent, serving_agent


def test_every_held_out_message_is_read_exactly_as_rasas_load_reads_it(agents):
    rasa_agent, serving_agent = agents
    texts = held_out_texts()
    assert len(texts) > 500
    ours, theirs = readings(serving_agent, texts), readings(rasa_agent, texts)
    differing = [(text, mine, rasa) for text, mine, rasa in zip(texts, ours, theirs) if mine != rasa]
    assert not differing, differing[:3]
    assert any(reading["topics"] for reading in ours)  # the plan-topic selector took part
    assert any(reading["entities"] for reading in ours)


def test_the_serving_models_built_no_training_step(agents):
    rasa_agent, serving_agent = agents
    served, trained = tensorflow_models(serving_agent), tensorflow_models(rasa_agent)
    assert len(served) == len(trained) == 2  # DIET and the plan-topic selector
    # Rasa's load: a traced training step and Adam's two slots per weight; ours: neither (the optimizer
    # keeps only its step counter).
    assert all(model.train_function is not None for model in trained)
    assert all(len(model.optimizer.variables()) > 2 * len(model.trainable_weights) for model in trained)
    assert all(model.train_function is None for model in served)
    assert all(len(model.optimizer.variables()) <= 1 for model in served)
