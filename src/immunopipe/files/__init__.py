"""Files on disk, below every other layer: atomic writing, the output-folder lock and file ownership.

Both the caches (``validate/``, ``export/``) and the exporters write through here, so no layer
imports another to write a file.
"""
