"""Risk assessment: findings with legal basis, levels per dimension, an indicative SEAL level.

Rules are data (analyser/risk_rules/rules_<dimension>.toml); each names a predicate from the
fixed table in `analyser.risk.predicates`. `assess(report, policy)` needs only a report's facts.
"""

from __future__ import annotations

from analyser.risk.assess import assess, with_risk
from analyser.risk.render import risk_markdown
from analyser.risk.rulebook import RuleSpec, load_rules

__all__ = ["RuleSpec", "assess", "load_rules", "risk_markdown", "with_risk"]
