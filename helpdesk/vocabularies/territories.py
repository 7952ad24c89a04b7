"""Territories as the reader names them: the five basins, the region, and "outside Brussels" (a residence).

The codes are the directory's (``directory_import.territory``); this module gives them their labels.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from directory_import import territory as t
from helpdesk.vocabularies.base import Vocabulary


class Territory(Vocabulary):
    NORD = t.NORD, _l("North basin")
    NORD_EST = t.NORD_EST, _l("North-East basin")
    CENTRE_OUEST = t.CENTRE_OUEST, _l("Centre-West basin")
    SUD = t.SUD, _l("South basin")
    SUD_EST = t.SUD_EST, _l("South-East basin")
    REGION = t.REGION, _l("Regional level")
    OUTSIDE = t.OUTSIDE, _l("Outside Brussels")


TERRITORY_LABELS = Territory.labels()
