"""Shot statistics on counts arrays (numpy only): estimators, the magic witness and verdict, records."""

from __future__ import annotations

from .estimators import *  # noqa: F403
from .estimators import __all__ as _estimators_all
from .extrapolation import *  # noqa: F403
from .extrapolation import __all__ as _extrapolation_all
from .mitigation import *  # noqa: F403
from .mitigation import __all__ as _mitigation_all
from .records import *  # noqa: F403
from .records import __all__ as _records_all
from .tomography import *  # noqa: F403
from .tomography import __all__ as _tomography_all
from .verdict import *  # noqa: F403
from .verdict import __all__ as _verdict_all

__all__: list[str] = [*_estimators_all, *_records_all, *_verdict_all, *_mitigation_all, *_tomography_all,
                      *_extrapolation_all]
