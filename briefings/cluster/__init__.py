"""Story clustering: articles in French and English grouped by the event they report.

`Clusterer.assign(article, facts)` returns a stable story id; see `clusterer.py` for how.
"""

from briefings.cluster.clusterer import AssignStats, Clusterer, story_id_for
from briefings.cluster.settings import ClusterSettings, default_settings

__all__ = ["AssignStats", "ClusterSettings", "Clusterer", "default_settings", "story_id_for"]
