"""immunopipe: validate structured health articles and publish them as PDF, JSON and CSV."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("immunopipe")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
