"""An article's ``id`` can name its export files on every system.

The id names ``json/<id>.json`` and ``pdf/<id>.pdf``. ``index`` would overwrite the export's
own ``json/index.json``, and Windows cannot create files named after its devices (``con``,
``prn``, ``aux``, ``nul``, ``com1``-``com9``, ``lpt1``-``lpt9``), whatever the extension.

Passes::

    id: lupus-medicines

Fails (a Windows device name)::

    id: con
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.ids import RESERVED_IDS
from immunopipe.validate.context import Finding, RuleContext

ID = "reserved-id"
SEVERITY = Severity.ERROR
SUMMARY = "An article id is not a name exports or Windows reserve (index, con, nul, com1, ...)."
STANDARD = "immunopipe data model"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    reason = RESERVED_IDS.get(article["id"])
    if reason:
        yield Finding("/id", f"article id '{article['id']}' cannot name export files: {reason}")
