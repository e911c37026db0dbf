"""What pyproject.toml cannot say on its own: `templates/` stays at the top of the repository
(the project's layout), yet the wheel must carry it, so it is shipped as the package
`reportgen.templates`, mapped from that folder. reportgen/resources.py looks there first and
falls back to the repository's `templates/` when run from a checkout. Everything else about the
package (metadata, dependencies, the data files it carries) is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    # Every subpackage of reportgen, found afresh at each build, plus the templates folder.
    packages=[*find_packages(include=["reportgen", "reportgen.*"]), "reportgen.templates"],
    package_dir={"reportgen.templates": "templates"},
)
