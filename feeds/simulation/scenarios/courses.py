"""The stages' roads and start times, and the start list they share.

Built once and cached: every seed of a scenario rides the same road with the same riders.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone

from feeds.simulation.roster import Roster, build_roster
from feeds.simulation.route import ClimbSpec, Route, RouteSpec, build_route
from feeds.simulation.script import NEUTRAL_KMH

NEUTRAL_S = 480.0
"""The neutralised start lasts 8 minutes, as on a Tour stage leaving a town centre."""
_CEST = timezone(timedelta(hours=2))
FLAT_START_T = datetime(2026, 7, 8, 13, 15, tzinfo=_CEST).timestamp()
"""Km 0 of the flat stage: Wednesday 8 July 2026, 13:15 in Mont-de-Marsan."""
MOUNTAIN_START_T = datetime(2026, 7, 15, 12, 10, tzinfo=_CEST).timestamp()
"""Km 0 of the mountain stage: Wednesday 15 July 2026, 12:10 in Oloron-Sainte-Marie."""
HILLY_START_T = datetime(2026, 7, 12, 12, 50, tzinfo=_CEST).timestamp()
"""Km 0 of the hilly stage: Sunday 12 July 2026, 12:50 in Pau."""

_NEUTRAL_KM = NEUTRAL_S * NEUTRAL_KMH / 3600

FLAT_ROUTE = RouteSpec(
    distance_km=172.6,
    waypoints=(
        (43.8936, -0.4999),  # Mont-de-Marsan
        (43.8883, -0.3080),  # Villeneuve-de-Marsan
        (43.7020, -0.2620),  # Aire-sur-l'Adour
        (43.6380, -0.3750),  # Geaune
        (43.6580, -0.5910),  # Hagetmau
        (43.4880, -0.7710),  # Orthez
        (43.4740, -0.9250),  # Salies-de-Béarn
        (43.5460, -1.1060),  # Peyrehorade
        (43.6040, -1.0010),  # Pouillon
        (43.7102, -1.0536),  # Dax
    ),
    altitude=(
        (0.0, 42.0),
        (20.0, 78.0),
        (35.0, 92.0),
        (50.0, 112.0),
        (58.0, 122.0),
        (60.4, 228.0),
        (66.0, 150.0),
        (80.0, 132.0),
        (95.0, 165.0),
        (105.0, 118.0),
        (117.8, 88.0),
        (119.4, 170.0),
        (126.0, 72.0),
        (140.0, 48.0),
        (152.0, 28.0),
        (172.6, 14.0),
    ),
    climbs=(
        ClimbSpec("Côte de Lacajunte-Haut", "4", 58.0, 60.4),
        ClimbSpec("Côte de Castétarbe", "4", 117.8, 119.4),
    ),
    neutral_km=_NEUTRAL_KM,
    rolling_m=7.0,
    flat_finish_km=12.0,
    sprints=(("Orthez", 5),),
)

MOUNTAIN_ROUTE = RouteSpec(
    distance_km=158.4,
    waypoints=(
        (43.1942, -0.6067),  # Oloron-Sainte-Marie
        (43.1060, -0.4260),  # Arudy
        (42.9881, -0.4253),  # Laruns
        (42.9597, -0.2075),  # Arrens-Marsous
        (43.0033, -0.0989),  # Argelès-Gazost
        (42.8728, -0.0019),  # Luz-Saint-Sauveur
        (42.8978, 0.0650),  # Barèges
        (42.9106, 0.1811),  # La Mongie
        (42.9860, 0.2280),  # Sainte-Marie-de-Campan
        (43.0160, 0.1780),  # Campan
        (43.0200, 0.1000),  # over the last col
        (43.0653, 0.1494),  # Bagnères-de-Bigorre
    ),
    altitude=(
        (0.0, 224.0),
        (28.0, 420.0),
        (33.2, 701.0),
        (42.0, 380.0),
        (54.4, 520.0),
        (66.0, 1344.0),
        (82.0, 560.0),
        (88.2, 640.0),
        (103.4, 1795.0),
        (120.0, 720.0),
        (129.6, 780.0),
        (136.4, 1208.0),
        (150.5, 580.0),
        (158.4, 551.0),
    ),
    climbs=(
        ClimbSpec("Côte de Berdets", "3", 28.0, 33.2),
        ClimbSpec("Col du Soum de Lèze", "1", 54.4, 66.0),
        ClimbSpec("Col de la Hourquette d'Ardoise", "HC", 88.2, 103.4),
        ClimbSpec("Col de Peyre-Blanque", "2", 129.6, 136.4),
    ),
    neutral_km=_NEUTRAL_KM,
    rolling_m=10.0,
    sprints=(("Argelès-Gazost", 4),),
)

HILLY_ROUTE = RouteSpec(
    distance_km=182.0,
    waypoints=(
        (43.2951, -0.3708),  # Pau
        (43.2262, -0.4797),  # Lasseube
        (43.1942, -0.6067),  # Oloron-Sainte-Marie
        (43.1897, -0.7739),  # Barcus
        (43.2249, -0.8856),  # Mauléon-Licharre
        (43.1938, -1.0032),  # Col d'Osquich
        (43.3281, -1.0331),  # Saint-Palais
        (43.1630, -1.2370),  # Saint-Jean-Pied-de-Port
        (43.1120, -1.3560),  # Col d'Ispéguy
        (43.2667, -1.3500),  # Bidarray
        (43.3405, -1.4470),  # Espelette
        (43.3560, -1.5000),  # Col de Pinodieta
        (43.4929, -1.4748),  # Bayonne
    ),
    altitude=(
        (0.0, 190.0),
        (12.0, 230.0),
        (15.0, 390.0),
        (26.0, 225.0),
        (38.0, 240.0),
        (43.0, 520.0),
        (52.0, 150.0),
        (62.0, 160.0),
        (70.0, 560.0),
        (81.0, 60.0),
        (95.0, 120.0),
        (110.0, 165.0),
        (119.0, 200.0),
        (127.5, 672.0),
        (140.0, 150.0),
        (150.0, 70.0),
        (158.0, 110.0),
        (162.0, 360.0),
        (170.0, 60.0),
        (182.0, 10.0),
    ),
    climbs=(
        ClimbSpec("Côte de Lasseube", "4", 12.0, 15.0),
        ClimbSpec("Côte de Barcus", "3", 38.0, 43.0),
        ClimbSpec("Col d'Osquich", "2", 62.0, 70.0),
        ClimbSpec("Col d'Ispéguy", "2", 119.0, 127.5),
        ClimbSpec("Col de Pinodieta", "3", 158.0, 162.0),
    ),
    neutral_km=_NEUTRAL_KM,
    rolling_m=9.0,
    flat_finish_km=6.0,
    sprints=(("Mauléon-Licharre", 4),),
)
ROUTES = {"flat": FLAT_ROUTE, "hilly": HILLY_ROUTE, "mountain": MOUNTAIN_ROUTE}


@functools.cache
def roster() -> Roster:
    """The shared start list (the same riders on every simulated stage)."""
    return build_roster()


@functools.cache
def route(scenario: str) -> Route:
    return build_route(ROUTES[scenario])
