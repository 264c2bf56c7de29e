"""The newcomer's path, run by `make test-install` after `pip install ./okr-py` into a clean
environment: the README's first Python example, against that installed package (not the
editable development install), from the repository root."""

import pathlib
import re
import sys
import sysconfig

import okr

ROOT = pathlib.Path(__file__).resolve().parents[2]
installed = pathlib.Path(okr.__file__).resolve()
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
assert site in installed.parents, f"okr imported from {installed}, not from the environment's {site}"
# The wheel ships the type information: the stub and the PEP 561 marker.
assert (installed.parent / "_okr.pyi").is_file() and (installed.parent / "py.typed").is_file()
first = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)[0]
lines = [line for line in first.splitlines() if line.strip() and not line.startswith(("assert", "print"))]
assert len(lines) == 3, f"the README's quick start is {len(lines)} lines, not three"
exec(compile(first, "README.md", "exec"), {"__name__": "readme"})
print(f"pip install ./okr-py: quick start ran against {installed.parent} (Python {sys.version.split()[0]})")
