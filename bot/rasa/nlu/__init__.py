"""Custom Rasa NLU components: the bilingual tokenizer and the per-message language tag."""
