"""``python -m immunopipe``: the same CLI as the ``immunopipe`` command."""

from immunopipe.cli import main

main()
