"""Every hard rule the engine can name has words a reviewer reads (the review page shows
"Must not link: ..." with them, not the rule's code name)."""

from __future__ import annotations

import re

from safeguard.linkage.engine.explain import CONFLICTS
from safeguard.linkage.engine.model import load_model
from safeguard.linkage.engine.persons import conflict_sql


def test_every_hard_rule_has_plain_words() -> None:
    named = set(re.findall(r"THEN '(\w+)'", conflict_sql(load_model())))
    assert {"twins", "generations", "years_apart"} <= named
    assert named <= set(CONFLICTS), f"no words for {sorted(named - set(CONFLICTS))}"
