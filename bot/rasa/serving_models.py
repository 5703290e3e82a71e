"""Loading the NLU models for answering, without building what only training needs.

Rasa 3.6 loads each TensorFlow model (DIET, the ResponseSelector) by *training* it for one step on one
example, "to build weights of the correct size", and then reading the trained weights over them. That
one step traces the whole training graph (forward and backward passes, the entity CRF's loss, Adam's
update) and creates Adam's two slots per weight, none of which a server that only answers ever uses.
Measured on this model (bench/README.md): the Rasa server's peak memory 1.31 GB -> 0.76 GB, the load
39 s -> 9 s.

`install()` (called by bot.rasa.server) loads a model for answering instead: the prediction step runs
once, eagerly, on Rasa's own prediction example, which creates exactly the weights prediction reads;
the trained weights are then read into them (the optimizer's and the training-only layers' are left
in the file), and the label embeddings are computed again from them before the prediction graph is
traced. Predictions are the same, bit for bit, as Rasa's load (tests/nlu/test_serving_models.py).
A model loaded to be trained further (`rasa train --finetune`) is loaded Rasa's way.
"""
from __future__ import annotations

from typing import Any, Optional, Text

RASA_LOAD: Any = None


def load_for_serving(cls: Any, model_file_name: Text, model_data_example: Any,
                     predict_data_example: Optional[Any] = None, finetune_mode: bool = False,
                     *args: Any, **kwargs: Any) -> Any:
    """RasaModel.load, building only the prediction step when the model will not be trained further."""
    if finetune_mode or predict_data_example is None:
        return RASA_LOAD(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                         *args, **kwargs)
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.train_utils import create_data_generators

    config = kwargs.get("config", {})
    model = cls(*args, **kwargs)
    # As Rasa compiles it; compiling creates no weights (Adam's slots are made by a training step).
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                  run_eagerly=config.get(RUN_EAGERLY))
    batches, _ = create_data_generators(model_data=predict_data_example, batch_sizes=1, epochs=1,
                                        shuffle=False)
    model._training = False
    model.prepare_for_predict()
    model.predict_step(next(iter(batches))[0])  # eagerly: creates every weight prediction reads
    model.load_weights(model_file_name).expect_partial()
    # The label embeddings were computed from the initial weights: Rasa computes them again, from the
    # trained ones, before its first prediction.
    model.prepared_for_prediction = False
    model.run_inference(predict_data_example)  # traces the prediction graph, as Rasa's load does
    return model


def install() -> None:
    """Load every Rasa TensorFlow model of this process for answering (idempotent)."""
    global RASA_LOAD
    from rasa.utils.tensorflow.models import RasaModel

    if RASA_LOAD is None:
        RASA_LOAD = RasaModel.load.__func__  # type: ignore[attr-defined]
        RasaModel.load = classmethod(load_for_serving)  # type: ignore[method-assign,assignment]
