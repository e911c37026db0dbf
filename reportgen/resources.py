"""Where the files that ship with reportgen are: templates, catalogues, plans, data.

`templates/` sits at the top of the repository (the project's layout requires it); a wheel
carries it inside the package as `reportgen/templates/` (see pyproject.toml). Everything else
lives inside the package already.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY_DIR = PACKAGE_DIR.parent


def _templates_dir() -> Path:
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else REPOSITORY_DIR / "templates"


TEMPLATES_DIR = _templates_dir()
LOCALE_DIR = PACKAGE_DIR / "i18n" / "locale"
PLANS_DIR = PACKAGE_DIR / "plan" / "plans"
MEMBER_STATES_FILE = PACKAGE_DIR / "publish" / "data" / "member-states.csv"
