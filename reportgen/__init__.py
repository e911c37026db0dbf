"""reportgen: the Secretary-General's annual progress report on the ITU Strategic Plan."""

__version__ = "0.1.0"
