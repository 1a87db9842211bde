"""Translations of articles: checked fact by fact against the English source, rendered in their own script.

A translation of article ``ID`` into language ``LANG`` (a BCP 47 tag) lives at
``<content>/translations/LANG/ID.yaml``. For every translatable fact of the source
(:mod:`~immunopipe.translation.facts`) and every handout label
(:mod:`~immunopipe.translation.labels`) it holds the translated text and the source text it was
made from, with that text's fingerprint, so a changed source fact is found
(:mod:`~immunopipe.translation.check`). Ids, codes and dates are never translated.
"""
