"""Sphinx configuration of the qc_reset documentation (MyST pages, API reference, executed tutorials).

Build (offline; math is typeset by MathJax in the browser)::

    pip install -e ".[docs]" && python -m sphinx -W -b html docs docs/_build/html
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Autodoc and the tutorial kernels import the package from this source tree.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)

import qc_reset  # noqa: E402

project = "qc_reset"
author = "qc_reset authors"
copyright = "qc_reset authors"  # noqa: A001
release = qc_reset.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "apigen",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "figures/*.csv", "figures/*.pdf", "**.ipynb_checkpoints", "jupyter_execute"]
suppress_warnings: list[str] = []
nitpicky = False

# -- autodoc / napoleon -----------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
autodoc_type_aliases = {
    # Keep the package's array aliases and numpy.typing names short in signatures.
    "FloatArray": "qc_reset.model.operators.FloatArray",
    "ComplexArray": "qc_reset.model.operators.ComplexArray",
    "npt.ArrayLike": "numpy.typing.ArrayLike",
}
autosummary_generate = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
napoleon_use_rtype = False
add_module_names = False

# -- MyST / MyST-NB ---------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("QC_RESET_DOCS_EXECUTE", "force")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# -- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"qc_reset {release}"
html_static_path: list[str] = []
