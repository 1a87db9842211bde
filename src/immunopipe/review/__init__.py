"""Clinical review bound to content: the reviewed facts and their digests, the reviewer's report,
and recording an approval (``immunopipe review``)."""
